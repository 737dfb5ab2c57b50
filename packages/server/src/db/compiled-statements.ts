/**
 * Hot statements compiled once: the SQL text of a statement is built by Kysely on its first run
 * and kept under a key that names everything the text depends on (statement, table, column list,
 * row or list count, lock); later runs execute the text with the call's parameters. Building and
 * compiling was a large part of a pushed operation's CPU (BENCHMARKS.md, issue 21).
 *
 * - Texts are kept per dialect adapter, which a database handle and its transactions share:
 *   SQLite's and PostgreSQL's texts never mix.
 * - A text is kept only if its parameters are exactly the caller's `params` in order, so a cached
 *   text only ever runs with the values it was compiled for, in their places. Parameters holding
 *   `undefined` (which Kysely leaves out of a statement) are never served from the cache.
 * - A handle with Kysely plugins is never served from the cache: a plugin may transform or refuse
 *   each query as it is built (the tests' and the simulation's fault injection). The server's
 *   handles have none.
 * - The texts of one adapter are bounded (count and characters), the least recently used dropped
 *   first: statements whose text depends on a row count (multi-row inserts, `in` lists) have many shapes.
 */
import { type Compilable, CompiledQuery, type Kysely, type QueryResult, type RawBuilder } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: tables and columns chosen at run time
type Loose = Kysely<any>

/** Most texts kept per database, and most characters of text (a 500-row insert is tens of KB). */
export const MAX_STATEMENTS = 1024
export const MAX_STATEMENT_CHARS = 4_000_000

/** Statement texts by key, least recently used first, within a count and a size bound. */
export class StatementTexts {
  private readonly texts = new Map<string, string>()
  private chars = 0

  constructor(
    private readonly maxStatements = MAX_STATEMENTS,
    private readonly maxChars = MAX_STATEMENT_CHARS,
  ) {}

  get(key: string): string | undefined {
    const text = this.texts.get(key)
    if (text !== undefined) {
      this.texts.delete(key) // most recently used last
      this.texts.set(key, text)
    }
    return text
  }

  set(key: string, text: string): void {
    if (text.length > this.maxChars) return
    const old = this.texts.get(key)
    if (old !== undefined) {
      this.texts.delete(key)
      this.chars -= old.length
    }
    while (this.texts.size >= this.maxStatements || this.chars + text.length > this.maxChars) {
      const [oldest, dropped] = this.texts.entries().next().value as [string, string]
      this.texts.delete(oldest)
      this.chars -= dropped.length
    }
    this.texts.set(key, text)
    this.chars += text.length
  }

  keys(): string[] {
    return [...this.texts.keys()]
  }

  get size(): number {
    return this.texts.size
  }

  get length(): number {
    return this.chars
  }
}

const byAdapter = new WeakMap<object, StatementTexts>()

/** The keys of the texts kept for `db`'s database (for tests). */
export function cachedStatementKeys(db: Loose): string[] {
  return byAdapter.get(db.getExecutor().adapter as object)?.keys() ?? []
}

/**
 * Runs the statement `key` with `params`: from its cached text, else built by `build` (and cached
 * if it may be). `key` must name everything the built text depends on; `params` are the values the
 * built statement binds, in their order.
 */
export async function runKeyed<R>(
  db: Loose,
  key: string,
  params: readonly unknown[],
  build: () => Compilable<R>,
): Promise<QueryResult<R>> {
  const executor = db.getExecutor()
  if (executor.plugins.length > 0 || params.includes(undefined)) return db.executeQuery<R>(build().compile())
  const adapter = executor.adapter as object
  let texts = byAdapter.get(adapter)
  if (!texts) {
    texts = new StatementTexts()
    byAdapter.set(adapter, texts)
  }
  const text = texts.get(key)
  if (text !== undefined) return db.executeQuery<R>(CompiledQuery.raw(text, [...params]))
  const compiled = build().compile()
  const same = compiled.parameters.length === params.length && compiled.parameters.every((p, i) => p === params[i])
  if (same) texts.set(key, compiled.sql)
  return db.executeQuery<R>(compiled)
}

/** {@link runKeyed} for a statement written with Kysely's `sql` template. */
export function runKeyedSql<R>(
  db: Loose,
  key: string,
  params: readonly unknown[],
  build: () => RawBuilder<R>,
): Promise<QueryResult<R>> {
  return runKeyed(db, key, params, () => ({ compile: () => build().compile(db) }))
}

/** The first row of a keyed statement's result, or undefined. */
export async function firstKeyed<R>(
  db: Loose,
  key: string,
  params: readonly unknown[],
  build: () => Compilable<R>,
): Promise<R | undefined> {
  return (await runKeyed(db, key, params, build)).rows[0]
}

/**
 * Inserts `rows` into `table` in one statement (the caller keeps it under the bound-parameter
 * limits: change-log.ts `chunks`). Its text is kept per table, column list and row count; rows
 * whose columns differ from the first row's are built every time.
 */
export async function insertRows(db: Loose, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0])
  const params: unknown[] = []
  let uniform = true
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length) uniform = false
    for (const column of columns) params.push(row[column]) // a column the row lacks is undefined: built, not cached
  }
  const build = () => db.insertInto(table).values(rows as Record<string, unknown>[])
  if (!uniform) {
    await db.executeQuery(build().compile())
    return
  }
  await runKeyed(db, `insert:${table}:${rows.length}:${columns.join()}`, params, build)
}
