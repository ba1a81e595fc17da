/** A flag definition that breaks a rule, with the field path it breaks it at. */
export class FlagDefinitionError extends Error {
  constructor(
    readonly path: string,
    readonly rule: string,
  ) {
    super(`${path}: ${rule}`);
    this.name = "FlagDefinitionError";
  }
}
