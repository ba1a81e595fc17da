/**
 * The keyphrase evaluation sets, read straight from their zips (LIAAD
 * KeywordExtractor-Datasets layout: `<set>/docsutf8/<id>.txt` beside
 * `<set>/keys/<id>.key`, one gold keyphrase a line), without extracting them.
 */
import { readFileSync } from "node:fs";
import { strFromU8, unzipSync } from "fflate";

export interface KeyphraseDocument {
  readonly id: string;
  readonly text: string;
  /** Gold keyphrases as written, whitespace collapsed, empty lines dropped. */
  readonly keys: readonly string[];
}

export function readKeyphraseZip(path: string): KeyphraseDocument[] {
  const files = unzipSync(readFileSync(path), { filter: (file) => /\/(docsutf8|keys)\/[^/]+\.(txt|key)$/.test(file.name) });
  const texts = new Map<string, string>();
  const keys = new Map<string, string[]>();
  for (const [name, bytes] of Object.entries(files)) {
    const id = name.replace(/^.*\//, "").replace(/\.(txt|key)$/, "");
    const content = strFromU8(bytes);
    if (name.endsWith(".txt")) texts.set(id, content);
    else keys.set(id, parseKeys(content));
  }
  return [...texts.keys()]
    .filter((id) => keys.has(id))
    .sort()
    .map((id) => ({ id, text: texts.get(id)!, keys: keys.get(id)! }));
}

/** Key files wrap long phrases with tabs and mix line endings; one phrase per non-empty line. */
export function parseKeys(content: string): string[] {
  return content
    .split(/\r?\n/)
    .map((line) => line.replace(/\s+/g, " ").trim())
    .filter((line) => line !== "");
}
