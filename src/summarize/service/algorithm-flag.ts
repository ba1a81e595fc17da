/**
 * The `summarization_algorithm` flag: when a request leaves the algorithm
 * to the automatic choice, the flag may fix it per caller (the x-user-id
 * header until authentication exists). A variant naming an Algorithm value
 * ("ALGORITHM_TEXTRANK") forces that algorithm; anything else, a disabled
 * flag or no flag leaves the choice automatic.
 */
import { SUMMARIZATION_ALGORITHM_FLAG } from "../../flags/builtin-flags.js";
import type { FlagStore } from "../../flags/flag-store.js";
import { AUTOMATIC, type AlgorithmPreference } from "../algorithm-choice.js";
import { algorithmFromName, preferenceOf } from "./algorithm-names.js";

/** The algorithm a caller's automatic choice resolves to, or undefined to choose automatically. */
export type AlgorithmOverride = (callerId: string | undefined) => Promise<AlgorithmPreference | undefined>;

const NO_ATTRIBUTES = Object.freeze({});

export function algorithmFromFlag(flags: FlagStore): AlgorithmOverride {
  return async (callerId) => {
    if (!flags.readyNow) await flags.ready();
    const flag = flags.snapshot.get(SUMMARIZATION_ALGORITHM_FLAG);
    if (flag === undefined) return undefined;
    const result = flags.snapshot.evaluate(flag, { targetingKey: callerId, attributes: NO_ATTRIBUTES });
    if (typeof result.value !== "string") return undefined;
    const algorithm = algorithmFromName(result.value);
    const preference = algorithm === undefined ? undefined : preferenceOf(algorithm);
    return preference === AUTOMATIC ? undefined : preference;
  };
}
