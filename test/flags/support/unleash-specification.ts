/**
 * Reads the JSON cases of @unleash/client-specification and turns Unleash
 * contexts into SUM evaluation contexts (userId is the targeting key; the
 * other fields and properties are attributes, top-level fields winning as
 * Unleash's resolveContextValue has them).
 */
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { JsonObject } from "@bufbuild/protobuf";

export interface UnleashContext {
  userId?: string;
  properties?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface SpecCase {
  description: string;
  context: UnleashContext;
  toggleName: string;
  expectedResult: boolean;
}

export interface SpecVariantCase {
  description: string;
  context: UnleashContext;
  toggleName: string;
  expectedResult: { name: string; enabled: boolean; feature_enabled?: boolean; payload?: { type: string; value: string } };
}

export interface SpecFile {
  readonly file: string;
  readonly name: string;
  readonly state: JsonObject;
  readonly tests: SpecCase[];
  readonly variantTests: SpecVariantCase[];
}

const directory = join(dirname(createRequire(import.meta.url).resolve("@unleash/client-specification/package.json")), "specifications");

/** Files 01–18, 21 and 22; 19 and 20 (the delta API) are out of scope. */
export function specificationFiles(): SpecFile[] {
  return readdirSync(directory)
    .filter((file) => /^\d\d-.*\.json$/.test(file) && !/^(19|20)-/.test(file))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(join(directory, file), "utf8")) as {
        name: string;
        state: JsonObject;
        tests?: SpecCase[];
        variantTests?: SpecVariantCase[];
      };
      return { file, name: json.name, state: json.state, tests: json.tests ?? [], variantTests: json.variantTests ?? [] };
    });
}

export function toSumContext(context: UnleashContext): { targetingKey: string | undefined; attributes: Record<string, unknown> } {
  const { userId, properties, ...rest } = context;
  return { targetingKey: userId, attributes: { ...properties, ...rest } };
}
