/**
 * Splits text that is already one sentence after another (references, peer
 * output) at sentence-final punctuation followed by space. Deliberately naive:
 * it is for scoring, where SUM's own splitter must not shape the references.
 */
export function plainSentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/).filter((sentence) => sentence.trim() !== "");
}
