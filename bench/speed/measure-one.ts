/**
 * One speed measurement in a process of its own, so its peak memory is its
 * own: `node measure-one.js <system> <words>` prints one JSON line.
 * Small inputs run many times after a warm-up and report the median; large
 * ones run once after warming the code on a 20,000-word text.
 */
import { getHeapStatistics } from "node:v8";
import { systems } from "./systems.js";
import { textOfWords } from "./inputs.js";

export interface Measurement {
  readonly system: string;
  readonly words: number;
  readonly runs: number;
  readonly msPer1kWords: number;
  /** Resident set size before the timed runs (input built, code warm) and at its peak, MiB. */
  readonly baseRssMiB: number;
  readonly peakRssMiB: number;
  /** Largest V8 heap seen by a 5 ms sampler; a synchronous peer blocks the sampler, so its figure is a lower bound. */
  readonly peakHeapMiB: number;
}

const [systemName = "", wordsArgument = "0"] = process.argv.slice(2);
const system = systems[systemName];
if (system === undefined) throw new Error(`unknown system ${JSON.stringify(systemName)}`);
const words = Number(wordsArgument);

const mib = (bytes: number) => bytes / 2 ** 20;
const text = textOfWords(words);
const warmUp = words >= 20_000 ? textOfWords(20_000, 7_919) : text;
const warmUntil = performance.now() + 1_500;
do await system(warmUp);
while (performance.now() < warmUntil && words < 1_000_000);

const runs = words <= 1_000 ? 200 : words <= 20_000 ? 20 : words <= 1_000_000 ? 3 : 1;
let peakHeap = getHeapStatistics().used_heap_size;
const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size)), 5);
const baseRss = process.memoryUsage.rss();
const times: number[] = [];
for (let run = 0; run < runs; run++) {
  const start = performance.now();
  await system(text);
  times.push(performance.now() - start);
}
clearInterval(sampler);
peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size);
times.sort((a, b) => a - b);
const measurement: Measurement = {
  system: systemName,
  words,
  runs,
  msPer1kWords: times[times.length >> 1]! / (words / 1000),
  baseRssMiB: mib(baseRss),
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  peakHeapMiB: mib(peakHeap),
};
console.log(JSON.stringify(measurement));
