/**
 * Undoes the PTB-style tokenization of the CNN/DM data (spaces around
 * punctuation, split clitics) so the summarizer sees ordinary prose.
 */
export function detokenize(text: string): string {
  return text
    .replace(/ ([.,!?;:%)\]}])/g, "$1")
    .replace(/([([{$£]) /g, "$1")
    .replace(/ (['\u2019](?:s|re|ve|ll|d|m|t)\b|n't\b)/gi, "$1")
    .replace(/`` | ''/g, '"')
    .replace(/\s+/g, " ")
    .trim();
}
