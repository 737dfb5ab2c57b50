/**
 * The raw baseline of the push workloads: the same rows a push writes
 * (entity row insert or full-row update, entity_history row, sync_operations
 * ledger row, change_log entry with its seq from the counter row), one
 * transaction per batch, into a database of the same kind with the same
 * durability (SQLite: the server's own open function, WAL + synchronous=FULL;
 * PostgreSQL: the server's settings, fsync and synchronous_commit on), with
 * no HTTP, no validation, no reads and no savepoints.
 *
 * SQLite: better-sqlite3 prepared statements, one synchronous loop (SQLite
 * has one writer at a time, so concurrency cannot add throughput). The raw
 * writer commits each batch alone; the limit writer (workloads/push.ts) hands
 * it every batch that is ready at once, merged (`mergeSets`), as one
 * transaction: what the server may legally do with writes that arrive
 * together (its group commit), so the honest limit of the same rows.
 * PostgreSQL: one multi-row statement per table per batch, `devices`
 * concurrent connections (at most the server's pool of 10).
 */

import {
  amountFor,
  type EntityRows,
  formatDecimal,
  MONEY_SCALE,
  newId,
  parseDecimal,
  QUANTITY_SCALE,
} from '@trackvault/core'
import { openSqlite, type PushOperation, TABLES, toColumns } from '@trackvault/server/testing'
import type { Database as SqliteDb, Statement } from 'better-sqlite3'
import pg from 'pg'
import type { BenchDb, Fixtures } from './env'
import { PG_URL } from './env'

type Wire = Record<string, unknown>

export interface RowSet {
  entities: Array<{ table: string; columns: Record<string, unknown>; expected: number | null }>
  history: Record<string, unknown>[]
  ledger: Record<string, unknown>[]
  changes: Array<{ entity_type: string; entity_id: string; version: number }>
}

/** Builds the rows of a batch exactly as the server would store them; keeps each device's rows for updates. */
export class RowBuilder {
  private readonly rows = new Map<string, Wire>()
  constructor(
    private readonly fx: Fixtures,
    private readonly deviceId: string,
    private readonly userId: string,
  ) {}

  build(ops: PushOperation[]): { set: RowSet; versions: number[] } {
    const now = new Date().toISOString()
    const set: RowSet = { entities: [], history: [], ledger: [], changes: [] }
    const versions: number[] = []
    for (const op of ops) {
      const prior = this.rows.get(op.entity_id)
      let wire: Wire
      if (op.operation_type === 'create' || !prior) {
        wire = {
          id: op.entity_id,
          ...op.payload,
          user_id: this.userId,
          version: 1,
          created_at: now,
          updated_at: now,
          deleted_at: null,
          created_by: this.userId,
          updated_by: this.userId,
          sync_metadata: null,
        }
        if (op.entity_type === 'collection') {
          wire.notes = null
          wire.product_rate_id = this.fx.rateId
          wire.rate_applied = '120.00'
        } else {
          wire.reference_number = null
          wire.notes = null
        }
      } else {
        wire = { ...prior, ...op.payload, version: (prior.version as number) + 1, updated_at: now }
      }
      if (op.entity_type === 'collection') {
        const q = parseDecimal(wire.quantity as string, QUANTITY_SCALE)
        wire.quantity = formatDecimal(q, QUANTITY_SCALE)
        wire.total_amount = formatDecimal(amountFor(q, parseDecimal('120.00', MONEY_SCALE)), MONEY_SCALE)
      }
      this.rows.set(op.entity_id, wire)
      const version = wire.version as number
      versions.push(version)
      set.entities.push({
        table: TABLES[op.entity_type as 'collection' | 'payment'],
        // Each row mapped by its own type (payments' decimals are stored in minor-unit columns too).
        columns: toColumns(op.entity_type, wire as unknown as EntityRows['collection' | 'payment'], this.deviceId),
        expected: prior && op.operation_type !== 'create' ? version - 1 : null,
      })
      set.history.push({
        entity_type: op.entity_type,
        entity_id: op.entity_id,
        version,
        operation: op.operation_type,
        data: JSON.stringify(wire),
        user_id: this.userId,
        device_id: this.deviceId,
        sync_operation_id: newId(),
        created_at: now,
      })
      set.ledger.push({
        id: newId(),
        device_id: this.deviceId,
        local_id: op.local_id,
        user_id: this.userId,
        seq: op.seq,
        entity_type: op.entity_type,
        entity_id: op.entity_id,
        operation_type: op.operation_type,
        base_version: op.base_version ?? null,
        payload: JSON.stringify(op.payload),
        client_timestamp: op.client_timestamp ?? null,
        status: 'success',
        result_version: version,
        error_code: null,
        error_message: null,
        conflict_data: null,
        resolution: null,
        attempted_at: now,
        completed_at: now,
      })
      set.changes.push({ entity_type: op.entity_type, entity_id: op.entity_id, version })
    }
    return { set, versions }
  }
}

/**
 * The row sets of several batches as one (the limit writer's group: every batch that is ready
 * goes into one transaction, with one counter update for all their change-log entries).
 */
export function mergeSets(sets: RowSet[]): RowSet {
  if (sets.length === 1) return sets[0]
  return {
    entities: sets.flatMap((s) => s.entities),
    history: sets.flatMap((s) => s.history),
    ledger: sets.flatMap((s) => s.ledger),
    changes: sets.flatMap((s) => s.changes),
  }
}

export interface RawWriter {
  /** Writes one batch in one transaction. */
  write(set: RowSet): Promise<void>
  /** How many batches may run at once. */
  readonly concurrency: number
  close(): Promise<void>
}

/** SQLite through better-sqlite3 with the server's pragmas. */
export function sqliteRawWriter(file: string): RawWriter {
  const { sqlite } = openSqlite(file)
  const statements = new Map<string, Statement>()
  const stmt = (key: string, sql: () => string) => {
    let s = statements.get(key)
    if (!s) {
      s = sqlite.prepare(sql())
      statements.set(key, s)
    }
    return s
  }
  const insertSql = (table: string, cols: string[]) =>
    `insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`
  const counter = sqlite.prepare(`update counters set value = value + ? where name = 'change_seq' returning value`)
  const tx = (sqlite as SqliteDb).transaction((set: RowSet) => {
    for (let i = 0; i < set.entities.length; i++) {
      const e = set.entities[i]
      const cols = Object.keys(e.columns)
      if (e.expected === null) {
        stmt(`i:${e.table}:${cols.join()}`, () => insertSql(e.table, cols)).run(...Object.values(e.columns))
      } else {
        const { id, ...rest } = e.columns
        const setCols = Object.keys(rest)
        stmt(
          `u:${e.table}:${setCols.join()}`,
          () => `update ${e.table} set ${setCols.map((c) => `${c} = ?`).join(', ')} where id = ? and version = ?`,
        ).run(...Object.values(rest), id, e.expected)
      }
      const h = set.history[i]
      stmt('h', () => insertSql('entity_history', Object.keys(h))).run(...Object.values(h))
      const l = set.ledger[i]
      stmt('l', () => insertSql('sync_operations', Object.keys(l))).run(...Object.values(l))
    }
    const { value } = counter.get(set.changes.length) as { value: number }
    const first = Number(value) - set.changes.length + 1
    const now = new Date().toISOString()
    set.changes.forEach((c, i) => {
      stmt('c', () =>
        insertSql('change_log', ['seq', 'entity_type', 'entity_id', 'version', 'deleted', 'created_at']),
      ).run(first + i, c.entity_type, c.entity_id, c.version, 0, now)
    })
  })
  return {
    concurrency: 1,
    write: async (set) => {
      tx.immediate(set)
    },
    close: async () => {
      sqlite.close()
    },
  }
}

/** Multi-row insert of `rows` (same keys) into `table`, numbering parameters from 1. */
function multiInsert(table: string, rows: Record<string, unknown>[]): [string, unknown[]] {
  const cols = Object.keys(rows[0])
  const params: unknown[] = []
  const tuples = rows.map((r) => `(${cols.map((c) => `$${params.push(r[c])}`).join(', ')})`)
  return [`insert into ${table} (${cols.join(', ')}) values ${tuples.join(', ')}`, params]
}

/** PostgreSQL through pg: one statement per table per batch, up to `concurrency` connections. */
export function postgresRawWriter(schema: string, concurrency: number): RawWriter {
  const pool = new pg.Pool({ connectionString: PG_URL, max: concurrency, options: `-c search_path=${schema}` })
  pool.on('error', () => {})
  return {
    concurrency,
    write: async (set) => {
      const client = await pool.connect()
      try {
        await client.query('begin')
        for (const table of new Set(set.entities.map((e) => e.table))) {
          const inserts = set.entities.filter((e) => e.table === table && e.expected === null).map((e) => e.columns)
          if (inserts.length > 0) await client.query(...multiInsert(table, inserts))
          const updates = set.entities.filter((e) => e.table === table && e.expected !== null)
          if (updates.length > 0) {
            // update ... from (values ...): all of this table's updates in one statement
            const cols = Object.keys(updates[0].columns).filter((c) => c !== 'id')
            const params: unknown[] = []
            const tuples = updates.map(
              (u) =>
                `(${[...cols.map((c) => u.columns[c]), u.columns.id, u.expected].map((v) => `$${params.push(v)}`).join(', ')})`,
            )
            const types = await columnTypes(client, table, cols)
            const setList = cols.map((c) => `${c} = v.${c}::${types[c]}`).join(', ')
            await client.query(
              `update ${table} t set ${setList} from (values ${tuples.join(', ')}) as v(${cols.join(', ')}, vid, vexp) where t.id = v.vid and t.version = v.vexp::integer`,
              params,
            )
          }
        }
        await client.query(...multiInsert('entity_history', set.history))
        await client.query(...multiInsert('sync_operations', set.ledger))
        const { rows } = await client.query(
          `update counters set value = value + $1 where name = 'change_seq' returning value`,
          [set.changes.length],
        )
        const first = Number(rows[0].value) - set.changes.length + 1
        const now = new Date().toISOString()
        await client.query(
          ...multiInsert(
            'change_log',
            set.changes.map((c, i) => ({ seq: first + i, ...c, deleted: 0, created_at: now })),
          ),
        )
        await client.query('commit')
      } catch (err) {
        await client.query('rollback').catch(() => {})
        throw err
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}

const typeCache = new Map<string, Record<string, string>>()
async function columnTypes(client: pg.PoolClient, table: string, cols: string[]) {
  let types = typeCache.get(table)
  if (!types) {
    const { rows } = await client.query(
      `select column_name, data_type from information_schema.columns where table_name = $1 and table_schema = current_schema()`,
      [table],
    )
    types = Object.fromEntries(rows.map((r) => [r.column_name as string, r.data_type as string])) as Record<
      string,
      string
    >
    typeCache.set(table, types)
  }
  const known = types
  return Object.fromEntries(cols.map((c) => [c, known[c] ?? 'text']))
}

/** The raw writer for a database of the bench. */
export function rawWriterFor(db: BenchDb, devices: number): RawWriter {
  return db.dialect === 'sqlite' ? sqliteRawWriter(db.location) : postgresRawWriter(db.location, Math.min(devices, 10))
}
