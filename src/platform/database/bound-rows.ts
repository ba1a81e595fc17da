/**
 * Multi-row statements with bound values, for hot paths that write a batch
 * of rows at once. A batch is cut into power-of-two chunks, so a handful of
 * statement shapes (each prepared once by the statement cache) serve every
 * batch size. Binding values costs far less than the alternative of passing
 * the rows as one JSON array for `json_each` to unpack: serialising them in
 * JavaScript and parsing them again in SQLite.
 */
import { CompiledQuery } from "kysely";
import type { QueryRunner } from "./reusable-query.js";

/** Rows per statement at most: 64 rows of 8 columns stay far below SQLite's limit on bound values. */
export const LARGEST_CHUNK = 64;

/** `rows` in chunks whose sizes are powers of two (64, 32, …, 1), largest first, in order. */
export function powerOfTwoChunks<T>(rows: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  for (let size = LARGEST_CHUNK; size >= 1; size /= 2) {
    while (rows.length - at >= size) {
      chunks.push(rows.slice(at, at + size));
      at += size;
    }
  }
  return chunks;
}

/** One statement over many rows; its SQL text per row count is built once, since only power-of-two counts occur. */
export class BoundRowsStatement<Row = never> {
  private readonly texts = new Map<number, string>();

  /** `template` receives the VALUES list, e.g. `(?, ?), (?, ?)`, and returns the statement. */
  constructor(
    private readonly columns: number,
    private readonly template: (values: string) => string,
  ) {}

  sql(rows: number): string {
    let text = this.texts.get(rows);
    if (text === undefined) {
      const row = `(${new Array<string>(this.columns).fill("?").join(", ")})`;
      text = this.template(new Array<string>(rows).fill(row).join(", "));
      this.texts.set(rows, text);
    }
    return text;
  }

  /**
   * Runs the statement over `rows`, a chunk at a time; `bind` pushes one
   * row's values, in column order. Returns the rows the chunks returned.
   */
  async run<T>(runner: QueryRunner, rows: readonly T[], bind: (row: T, values: unknown[]) => void): Promise<Row[]> {
    const returned: Row[] = [];
    for (const chunk of powerOfTwoChunks(rows)) {
      const values: unknown[] = [];
      for (const row of chunk) bind(row, values);
      if (values.length !== chunk.length * this.columns) throw new Error(`bound ${values.length} values for ${chunk.length} rows of ${this.columns} columns`);
      const result = await runner.executeQuery(CompiledQuery.raw(this.sql(chunk.length), values) as CompiledQuery<Row>);
      for (const row of result.rows) returned.push(row);
    }
    return returned;
  }
}
