/**
 * Recognises SQLite failures that mean "the database cannot serve right now"
 * (locked past the busy timeout, I/O errors, disk full) as opposed to bugs.
 * They leave SUM as UNAVAILABLE and feed the database circuit breaker.
 */

/** Thrown by repositories when the database cannot serve; retrying later can help. */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
  constructor(
    message: string,
    readonly sqliteCode: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOLFS|READONLY|CORRUPT|NOTADB)/;

/** True when `error` is a SQLite error of a kind that means the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && UNAVAILABLE_CODES.test(code);
}

/** Wraps an unavailable-database failure in DatabaseUnavailableError; other errors pass unchanged. */
export function classifyDatabaseError(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || !isDatabaseUnavailable(error)) return error;
  const code = (error as { code: string }).code;
  return new DatabaseUnavailableError(`database unavailable (${code})`, code, { cause: error });
}
