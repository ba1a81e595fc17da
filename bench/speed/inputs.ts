/**
 * Inputs for the speed benchmark: real text from the shared evaluation sets
 * (CNN/DM articles, BBC news, Opinosis reviews), concatenated and repeated
 * until it has the wanted number of words.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { detokenize } from "../quality/detokenize.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository: three levels up when compiled (dist/bench/speed), two when run from source. */
export const repoRoot = join(here, ...(basename(join(here, "..", "..")) === "dist" ? ["..", "..", ".."] : ["..", ".."]));
const dataFile = (file: string) => join(repoRoot, "..", "shared", "data", "summarization", file);
const sources = (file: string) => (JSON.parse(readFileSync(dataFile(file), "utf8")) as { src: string }[]).map((document) => document.src);

/** Every document once, as paragraphs; about 240,000 words. */
export function corpus(): string {
  return [...sources("cnndm_summeval100.json").map(detokenize), ...sources("bbc100.json"), ...sources("opinosis51.json")].join("\n\n");
}

/**
 * The first `words` words (whitespace-separated) of the corpus repeated, with
 * their original spacing, starting `offset` words in. Built from whole copies
 * and one prefix, so a 10-million-word text costs only itself.
 */
export function textOfWords(words: number, offset = 0, source = corpus()): string {
  const start = charIndexOfWord(source, offset % wordCount(source));
  const rotated = source.slice(start) + PARAGRAPH + source.slice(0, start);
  const perCopy = wordCount(rotated);
  const copies = Math.floor(words / perCopy);
  const rest = rotated.slice(0, charIndexOfWord(rotated, words % perCopy)).trimEnd();
  // Copies meet at a paragraph break, as separate documents would.
  return [...Array<string>(copies).fill(rotated), ...(rest === "" ? [] : [rest])].join(PARAGRAPH);
}

const PARAGRAPH = "\n\n";

function wordCount(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Where word number `index` (from 0) starts; the text's length when there are not that many. */
function charIndexOfWord(text: string, index: number): number {
  const word = /\S+/g;
  for (let seen = 0, match = word.exec(text); match !== null; seen++, match = word.exec(text)) if (seen === index) return match.index;
  return text.length;
}
