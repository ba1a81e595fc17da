/**
 * The proto enum `sum.v1.Algorithm` and the engine's algorithm names, both
 * ways. The flags service's `summarization_algorithm` variants are the
 * enum's value names ("ALGORITHM_TEXTRANK"), read with `algorithmFromName`.
 */
import { AUTOMATIC, ExtractiveAlgorithm, type AlgorithmPreference } from "../algorithm-choice.js";
import { Algorithm } from "../../../gen/sum/v1/summarize_pb.js";

const engineByEnum = new Map<Algorithm, AlgorithmPreference>([
  [Algorithm.UNSPECIFIED, AUTOMATIC],
  [Algorithm.LEAD, ExtractiveAlgorithm.Lead],
  [Algorithm.FREQUENCY, ExtractiveAlgorithm.Frequency],
  [Algorithm.TEXTRANK, ExtractiveAlgorithm.TextRank],
  [Algorithm.LEXRANK, ExtractiveAlgorithm.LexRank],
  [Algorithm.KLSUM, ExtractiveAlgorithm.KlSum],
  [Algorithm.POSITION_LEXRANK, ExtractiveAlgorithm.PositionLexRank],
  [Algorithm.DEGREE_CENTRALITY, ExtractiveAlgorithm.DegreeCentrality],
]);
const enumByEngine = new Map<AlgorithmPreference, Algorithm>([...engineByEnum].map(([value, name]) => [name, value]));

/** The engine's preference for an enum value; undefined for a number the enum does not define. */
export function preferenceOf(algorithm: Algorithm): AlgorithmPreference | undefined {
  return engineByEnum.get(algorithm);
}

export function algorithmOf(preference: AlgorithmPreference): Algorithm {
  return enumByEngine.get(preference)!;
}

/** "ALGORITHM_TEXTRANK" → Algorithm.TEXTRANK; undefined for any other string. */
export function algorithmFromName(name: string): Algorithm | undefined {
  const match = /^ALGORITHM_([A-Z_]+)$/.exec(name);
  if (match === null) return undefined;
  const value = (Algorithm as unknown as Record<string, Algorithm | undefined>)[match[1]!];
  return typeof value === "number" ? value : undefined;
}

/** "ALGORITHM_TEXTRANK" for Algorithm.TEXTRANK: how events and logs name an algorithm. */
export function algorithmName(algorithm: Algorithm): string {
  return `ALGORITHM_${Algorithm[algorithm]}`;
}
