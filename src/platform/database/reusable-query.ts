/**
 * A kysely query compiled once and run many times with new values: hot
 * paths (the webhook dispatcher's claims and outcome writes) skip building
 * and compiling the query tree on every run, while the SQL is still the
 * dialect's own (kysely compiled it), so repositories stay dialect-neutral.
 */
import { CompiledQuery, type Compilable, type QueryResult } from "kysely";

/** What can run a compiled query: a Kysely instance or a transaction. */
export interface QueryRunner {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

const MARK = "\u0000sum-param:";

/**
 * A named placeholder for a value supplied at each run; typed as the value
 * it stands for so it fits wherever kysely expects that value.
 */
export function param<T>(name: string): T {
  return (MARK + name) as T;
}

type Slot = { readonly name: string } | { readonly value: unknown };

export class ReusableQuery<Params extends Record<string, unknown>, Row> {
  private readonly sql: string;
  private readonly slots: readonly Slot[];

  constructor(query: Compilable<Row>) {
    const compiled = query.compile();
    this.sql = compiled.sql;
    this.slots = compiled.parameters.map((value): Slot =>
      typeof value === "string" && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
    );
  }

  execute(runner: QueryRunner, params: Params): Promise<QueryResult<Row>> {
    const parameters = this.slots.map((slot) => ("name" in slot ? params[slot.name] : slot.value));
    return runner.executeQuery(CompiledQuery.raw(this.sql, parameters) as CompiledQuery<Row>);
  }

  async rows(runner: QueryRunner, params: Params): Promise<Row[]> {
    return (await this.execute(runner, params)).rows;
  }
}
