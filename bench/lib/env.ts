/**
 * What every workload stands on: a fresh, migrated database (a SQLite file
 * in a temp folder, or a PostgreSQL schema of its own), a real TrackVault
 * server process on loopback (the build, `dist/cli.js serve`, as
 * `npm start`), bench users, sessions minted straight into the database
 * (1,000 scrypt sign-ins would only measure scrypt), and master data.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FetchLike, Session } from '@trackvault/client'
import { newId, type Role } from '@trackvault/core'
import {
  type Actor,
  createEntity,
  type Database,
  type DbHandle,
  freePort,
  hashPassword,
  issueToken,
  migrateToLatest,
  openDatabase,
  runWrite,
  SERVER_CLI,
  toUser,
  type UsersTable,
  waitHealthy,
} from '@trackvault/server/testing'
import type { Kysely } from 'kysely'
import pg from 'pg'

export type Dialect = 'sqlite' | 'postgres'

const here = dirname(fileURLToPath(import.meta.url))
const serverDir = join(here, '..', '..', 'packages', 'server')

/** The PostgreSQL the bench uses: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else this machine's. */
export const PG_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Runs one statement on the bench's PostgreSQL (schemas, databases). */
export async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

export interface BenchDb {
  dialect: Dialect
  handle: DbHandle
  /** Environment that points a server process at this database. */
  env: Record<string, string>
  /** The SQLite file, or the PostgreSQL schema. */
  location: string
  drop(): Promise<void>
}

let dbCounter = 0

/** A fresh, migrated database. `poolSize` is the bench process's own pool (PostgreSQL). */
export async function createBenchDb(dialect: Dialect, opts: { poolSize?: number } = {}): Promise<BenchDb> {
  if (dialect === 'postgres') {
    const schema = `bench_${process.pid}_${++dbCounter}_${Math.random().toString(36).slice(2, 8)}`
    await pgAdmin(`CREATE SCHEMA ${schema}`)
    const handle = openDatabase({ databaseUrl: PG_URL, pgSchema: schema, poolSize: opts.poolSize })
    await migrateToLatest(handle.db)
    return {
      dialect,
      handle,
      env: { DATABASE_URL: PG_URL, TRACKVAULT_PG_SCHEMA: schema },
      location: schema,
      drop: async () => {
        await handle.close()
        await pgAdmin(`DROP SCHEMA ${schema} CASCADE`)
      },
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-bench-'))
  const file = join(dir, 'bench.db')
  const handle = openDatabase({ sqliteFile: file })
  await migrateToLatest(handle.db)
  return {
    dialect,
    handle,
    env: { TRACKVAULT_DB: file },
    location: file,
    drop: async () => {
      await handle.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const CLOCK_TICKS = 100

export interface BenchServer {
  url: string
  child: ChildProcess
  /** Resident set size of the server process, in bytes (Linux /proc). */
  rss(): number
  /** CPU time (user + system) the server process has used so far, in ms (Linux /proc). */
  cpuMs(): number
  stop(): Promise<void>
}

export interface ServerOptions {
  /** Write a V8 CPU profile of the server into this folder (node --cpu-prof). */
  profileDir?: string
  /** Where the server's log goes (default: a temp file, removed on stop). */
  logFile?: string
  logLevel?: string
}

/**
 * Starts the built server (`dist/cli.js serve`) on loopback against `db`, the way
 * `npm start` does (log level info unless told), with the per-user rate
 * limit raised so that it does not throttle the load. The log goes to a
 * file, not through a pipe to this process.
 */
export async function startServer(db: BenchDb, opts: ServerOptions = {}): Promise<BenchServer> {
  const port = await freePort()
  const logDir = opts.logFile ? undefined : mkdtempSync(join(tmpdir(), 'trackvault-bench-log-'))
  const logFile = opts.logFile ?? join(logDir as string, 'server.log')
  const fd = openSync(logFile, 'a')
  const args = [...(opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []), SERVER_CLI, 'serve']
  const child = spawn(process.execPath, args, {
    cwd: serverDir,
    env: {
      ...process.env,
      TRACKVAULT_DEMO: '0',
      TRACKVAULT_RATE_LIMIT: '100000000',
      // Every bench client connects from loopback: thousands of streams from one address.
      TRACKVAULT_MAX_CONNECTIONS_PER_ADDRESS: '0',
      LOG_LEVEL: opts.logLevel ?? 'info',
      ...db.env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  await waitHealthy(url, child, 30_000, () => readFileSync(logFile, 'utf8'))
  return {
    url,
    child,
    rss: () => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
        return m ? Number(m[1]) * 1024 : Number.NaN
      } catch {
        return Number.NaN
      }
    },
    cpuMs: () => {
      try {
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15 (clock ticks).
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8')
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
      } catch {
        return Number.NaN
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
      if (logDir) rmSync(logDir, { recursive: true, force: true })
    },
  }
}

export const BENCH_PASSWORD = 'bench-password-1'
let passwordHash: Promise<string> | undefined

/** Inserts `count` users of `role` (one scrypt hash shared by all: sign-in is not what is measured). */
export async function insertUsers(db: Kysely<Database>, count: number, role: Role, prefix: string) {
  passwordHash ??= hashPassword(BENCH_PASSWORD)
  const hash = await passwordHash
  const at = new Date().toISOString()
  const rows: UsersTable[] = []
  for (let i = 0; i < count; i++) {
    rows.push({
      id: newId(),
      name: `${prefix} ${i}`,
      email: `${prefix}-${i}-${Math.random().toString(36).slice(2, 8)}@bench.local`,
      password_hash: hash,
      role,
      is_active: 1,
      created_at: at,
      updated_at: at,
    })
  }
  for (let i = 0; i < rows.length; i += 200)
    await db
      .insertInto('users')
      .values(rows.slice(i, i + 200))
      .execute()
  return rows
}

/** A session for `user` on `deviceId`, issued straight into the database (what a sign-in returns). */
export async function mintSession(db: Kysely<Database>, user: UsersTable, deviceId: string): Promise<Session> {
  const token = await issueToken(db, user.id, deviceId, 30 * 24 * 3600 * 1000)
  return { ...token, user: toUser(user) }
}

/** A link a SyncClient talks through: sign-in answered with a minted session, and an off switch. */
export interface BenchLink {
  fetch: FetchLike
  offline: boolean
}

export function benchLink(db: Kysely<Database>, user: UsersTable): BenchLink {
  const link: BenchLink = {
    offline: false,
    fetch: async (input, init) => {
      if (link.offline) throw new TypeError('fetch failed: network is down')
      if (input.endsWith('/api/auth/login')) {
        const { device_id } = JSON.parse(String(init?.body)) as { device_id: string }
        const session = await mintSession(db, user, device_id)
        return new Response(JSON.stringify(session), { status: 200, headers: { 'content-type': 'application/json' } })
      }
      return fetch(input, init)
    },
  }
  return link
}

export interface Fixtures {
  productId: string
  rateId: string
  supplierIds: string[]
  admin: UsersTable
}

/** One product (kg, rate 120.00 from 2020) and `suppliers` suppliers, written through the domain service. */
export async function seedFixtures(handle: DbHandle, suppliers = 50): Promise<Fixtures> {
  const [admin] = await insertUsers(handle.db, 1, 'admin', 'admin')
  const actor: Actor = { id: admin.id, role: 'admin', name: admin.name, deviceId: 'bench-seed' }
  const productId = newId()
  const rateId = newId()
  const supplierIds: string[] = []
  await runWrite(handle.db, handle.caps, actor, async (ctx) => {
    await createEntity(ctx, 'product', { code: 'TEA', name: 'Tea', default_unit: 'kg' }, productId)
    await createEntity(
      ctx,
      'product_rate',
      { product_id: productId, unit: 'kg', rate: '120.00', effective_date: '2020-01-01' },
      rateId,
    )
    for (let i = 0; i < suppliers; i++) {
      const id = newId()
      supplierIds.push(id)
      await createEntity(ctx, 'supplier', { code: `S-${i}`, name: `Supplier ${i}` }, id)
    }
  })
  return { productId, rateId, supplierIds, admin }
}

/** Rows in a table (nothing-lost checks). */
export async function countRows(db: Kysely<Database>, table: 'collections' | 'payments' | 'sync_operations') {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
