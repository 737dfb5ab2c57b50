/**
 * The real TrackVault server, in process, on loopback: a fresh database per
 * seed (a SQLite file, or a PostgreSQL schema), `buildApp` listening on a
 * port, restartable on the same database and port. A Kysely plugin can make
 * one database statement fail, to simulate the database going away in the
 * middle of a batch, or the process dying just before a commit.
 *
 * Backups are taken while serving (SQLite: the online backup `trackvault
 * backup` makes; PostgreSQL: pg_dump of the seed's schema) and a restore puts
 * the latest back as an operator would: every server stopped, the copy put
 * back (`trackvault restore`'s page copy; pg_restore), a new epoch marked, the
 * server started again on the same port.
 */
import { execFile } from 'node:child_process'
import { randomBytes, scryptSync } from 'node:crypto'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { newId, type Role } from '@trackvault/core'
import {
  backupSqlite,
  buildApp,
  copyTemplate,
  type DbHandle,
  dropCopy,
  markRestored,
  migrateToLatest,
  openDatabase,
  restoreSqliteFile,
  uniqueName,
} from '@trackvault/server/testing'
import type { FastifyInstance } from 'fastify'
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, UnknownRow } from 'kysely'

export type Dialect = 'sqlite' | 'postgres'

const run = promisify(execFile)

export const PASSWORD = 'sim-password-1'

export function pgUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
}

/**
 * A password hash in the server's own format with a small scrypt cost: the
 * format carries its parameters, so logins stay real but take a millisecond.
 */
let cheapHash: string | undefined
function simPasswordHash(): string {
  if (!cheapHash) {
    const salt = randomBytes(16)
    const key = scryptSync(PASSWORD, salt, 32, { N: 1024, r: 8, p: 1 })
    cheapHash = ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$')
  }
  return cheapHash
}

/**
 * Where seed databases live: memory-backed /dev/shm when there is one. A crash here is the
 * process's, not the machine's, so fsync buys nothing but time.
 */
function simTmpDir(): string {
  if (process.env.SIM_TMPDIR) return process.env.SIM_TMPDIR
  try {
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm'
  } catch {}
  return tmpdir()
}

/** A database fault armed for the next push: fails one statement, as a lost connection would. */
export interface DbFault {
  /** `transient`: the n-th history insert fails (the batch stops there); `crash`: the commit never happens. */
  mode: 'transient' | 'crash'
  /** For `transient`: how many history rows may be written first. */
  after: number
}

function tableOf(node: PluginTransformQueryArgs['node']): string | undefined {
  const n = node as { kind: string; into?: unknown; table?: unknown }
  const t = (n.kind === 'InsertQueryNode' ? n.into : n.kind === 'UpdateQueryNode' ? n.table : undefined) as
    | { table?: { identifier?: { name?: string } } }
    | undefined
  return t?.table?.identifier?.name
}

class FaultPlugin implements KyselyPlugin {
  armed: (DbFault & { seen: number }) | undefined
  fired = false

  arm(fault: DbFault) {
    this.armed = { ...fault, seen: 0 }
    this.fired = false
  }

  disarm(): boolean {
    const fired = this.fired
    this.armed = undefined
    this.fired = false
    return fired
  }

  transformQuery(args: PluginTransformQueryArgs) {
    const a = this.armed
    if (a) {
      const table = tableOf(args.node)
      const hit =
        a.mode === 'transient'
          ? table === 'entity_history' && args.node.kind === 'InsertQueryNode' && a.seen++ >= a.after
          : table === 'counters' && args.node.kind === 'UpdateQueryNode'
      if (hit) {
        this.armed = undefined
        this.fired = true
        const err = new Error('simulated fault: the database connection was lost') as Error & { code: string }
        err.code = 'ECONNRESET'
        throw err
      }
    }
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

export interface SimUser {
  id: string
  email: string
  role: Role
  name: string
}

export interface HttpAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/** One HTTP request to 127.0.0.1:port on a fresh connection (no keep-alive state survives a restart). */
export function httpCall(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const headers: Record<string, string> = {}
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    if (init.body !== undefined) req.write(init.body)
    req.end()
  })
}

/** Where a seed's database lives, and how to open, copy and put back a copy of it. */
interface Store {
  open(): DbHandle
  backup(file: string): Promise<void>
  restore(file: string): Promise<void>
  /** Where the n-th backup goes. */
  backupFile(n: number): string
  /** Drops the database and the backups (the handle is closed). */
  remove(): Promise<void>
}

async function sqliteStore(): Promise<Store> {
  const dir = mkdtempSync(join(simTmpDir(), 'trackvault-sim-'))
  const file = join(dir, 'sim.db')
  return {
    open: () => openDatabase({ sqliteFile: file }),
    backup: async (to) => void (await backupSqlite(file, to)),
    restore: (from) => restoreSqliteFile(from, file),
    backupFile: (n) => join(dir, `backup-${n}.db`),
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

async function postgresStore(): Promise<Store> {
  // A database of its own, copied from the migrated template (the migrations would take most of a
  // seed's set-up), its schema renamed to this name.
  const schema = uniqueName('sim')
  const url = await copyTemplate(pgUrl(), schema)
  let dir: string | undefined
  return {
    open: () => openDatabase({ databaseUrl: url, pgSchema: schema }),
    backup: async (to) => {
      await run('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${to}`, url])
    },
    restore: async (from) => {
      await run('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', `--dbname=${url}`, from])
    },
    backupFile: (n) => {
      dir ??= mkdtempSync(join(simTmpDir(), 'trackvault-sim-pg-'))
      return join(dir, `backup-${n}.dump`)
    },
    remove: async () => {
      if (dir) rmSync(dir, { recursive: true, force: true })
      await dropCopy(pgUrl(), schema)
    },
  }
}

export class SimServer {
  app: FastifyInstance | undefined
  port = 0
  restarts = 0
  /** Backups taken, and restores from the latest one. */
  backups = 0
  restores = 0
  readonly faults = new FaultPlugin()
  /** The database as the checks read it (a new handle after each restore). */
  handle: DbHandle
  private wrapped!: DbHandle

  private constructor(
    readonly dialect: Dialect,
    private readonly store: Store,
  ) {
    this.handle = store.open()
    this.wrap()
  }

  /** The app sees the database through the fault plugin; checks use the plain handle. */
  private wrap() {
    this.wrapped = { ...this.handle, db: this.handle.db.withPlugin(this.faults), close: async () => {} }
  }

  /** A fresh, migrated database and a server listening on loopback. */
  static async start(dialect: Dialect): Promise<SimServer> {
    const store = dialect === 'postgres' ? await postgresStore() : await sqliteStore()
    const server = new SimServer(dialect, store)
    try {
      await migrateToLatest(server.handle.db)
    } catch (err) {
      await server.handle.close()
      await store.remove()
      throw err
    }
    await server.listen()
    return server
  }

  private async listen(): Promise<void> {
    const app = await buildApp({
      db: this.wrapped,
      // The simulation is one client address sending thousands of requests a minute.
      rateLimit: { max: 10_000_000, timeWindowMs: 60_000 },
      edge: { maxConnectionsPerAddress: 0 },
    })
    await app.listen({ port: this.port, host: '127.0.0.1' })
    const address = app.server.address()
    this.port = typeof address === 'object' && address ? address.port : this.port
    this.app = app
  }

  /** Stops the process's server and starts a new one on the same database and port. */
  async restart(): Promise<void> {
    this.restarts += 1
    await this.app?.close()
    this.app = undefined
    await this.listen()
  }

  /** Backs the database up while the server serves; returns the backup's number. */
  async backup(): Promise<number> {
    this.backups += 1
    await this.store.backup(this.store.backupFile(this.backups))
    return this.backups
  }

  /**
   * Restores the latest backup: the server stops, the database is closed, the copy is put back, the
   * database gets a new epoch, and the server starts again on the same port.
   */
  async restore(): Promise<void> {
    if (this.backups === 0) throw new Error('no backup to restore')
    this.restores += 1
    await this.app?.close()
    this.app = undefined
    await this.handle.close()
    await this.store.restore(this.store.backupFile(this.backups))
    this.handle = this.store.open()
    this.wrap()
    await migrateToLatest(this.handle.db)
    await markRestored(this.handle.db, `sim-backup-${this.backups}`)
    await this.listen()
  }

  /** Users of the simulation, inserted directly (the admin API is not under test here). */
  async createUsers(specs: Array<{ role: Role; name: string }>): Promise<SimUser[]> {
    const now = new Date().toISOString()
    const users = specs.map((s, i) => ({
      id: newId(),
      email: `${s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${i}@sim.local`,
      role: s.role,
      name: s.name,
    }))
    await this.handle.db
      .insertInto('users')
      .values(
        users.map((u) => ({
          id: u.id,
          name: u.name,
          email: u.email,
          password_hash: simPasswordHash(),
          role: u.role,
          is_active: 1,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute()
    return users
  }

  async stop(): Promise<void> {
    await this.app?.close()
    this.app = undefined
    await this.handle.close()
    await this.store.remove()
  }
}
