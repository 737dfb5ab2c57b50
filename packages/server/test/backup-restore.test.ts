/**
 * `trackvault backup` and `trackvault restore` as an operator runs them: a consistent copy while the
 * server serves and writes, a restore refused while a server runs, and a new epoch after it.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import SqliteDatabase from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SERVER_CLI, startServerProcess } from '../src/testing/server-process'
import { createTestDb, TEST_DIALECT, type TestDb } from '../src/testing/test-db'

const run = promisify(execFile)

/** Runs `trackvault <args>` with `env`; resolves with its exit code and output. */
async function trackvault(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [SERVER_CLI, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    })
    return { code: 0, out: stdout + stderr }
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string }
    return { code: e.code, out: e.stdout + e.stderr }
  }
}

const ADMIN = { TRACKVAULT_ADMIN_EMAIL: 'admin@backup.test', TRACKVAULT_ADMIN_PASSWORD: 'correct-horse-battery' }

async function signIn(url: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN.TRACKVAULT_ADMIN_EMAIL, password: ADMIN.TRACKVAULT_ADMIN_PASSWORD }),
  })
  return ((await res.json()) as { token: string }).token
}

async function epochOf(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/api/sync/changes?limit=1`, { headers: { authorization: `Bearer ${token}` } })
  return ((await res.json()) as { epoch: string }).epoch
}

describe.runIf(TEST_DIALECT === 'sqlite')('SQLite backup and restore', () => {
  let db: TestDb
  let dir: string
  beforeAll(async () => {
    db = await createTestDb()
    await db.handle.close()
    dir = mkdtempSync(join(tmpdir(), 'trackvault-backup-'))
  })
  afterAll(async () => {
    await db?.drop().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })

  test('a backup taken while writes commit is consistent; restore refuses while serving, then sets a new epoch', async () => {
    const env = { ...db.env, ...ADMIN }
    const server = await startServerProcess(env)
    const file = join(dir, 'backup.db')
    let token = ''
    let epoch = ''
    try {
      token = await signIn(server.url)
      epoch = await epochOf(server.url, token)
      // Writers keep committing while the backup runs.
      let stop = false
      let written = 0
      const writer = (async () => {
        while (!stop) {
          const res = await fetch(`${server.url}/api/suppliers`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ code: `B-${written}`, name: `Backed up ${written}` }),
          })
          if (res.status === 201) written += 1
        }
      })()
      await new Promise((r) => setTimeout(r, 300))
      const backup = await trackvault(env, 'backup', file)
      stop = true
      await writer
      expect(backup.code, backup.out).toBe(0)
      expect(written).toBeGreaterThan(0)
      // Consistent: every change the counter handed out is in the copy, each with its history row and row.
      const copy = new SqliteDatabase(file, { readonly: true })
      const counter = copy.prepare("select value from counters where name = 'change_seq'").pluck().get() as number
      const logged = copy.prepare('select count(*) from change_log').pluck().get() as number
      const orphans = copy
        .prepare(
          'select count(*) from change_log c left join entity_history h on h.entity_type = c.entity_type and h.entity_id = c.entity_id and h.version = c.version where h.entity_id is null',
        )
        .pluck()
        .get()
      const suppliers = copy.prepare('select count(*) from suppliers').pluck().get() as number
      copy.close()
      expect(logged).toBe(counter)
      expect(orphans).toBe(0)
      expect(suppliers).toBe(logged) // each supplier write is one change
      expect(suppliers).toBeLessThanOrEqual(written)

      // A second backup to the same file needs --force.
      expect((await trackvault(env, 'backup', file)).code).toBe(1)
      // Restoring while the server runs is refused, and changes nothing.
      const refused = await trackvault(env, 'restore', file)
      expect(refused.code).toBe(1)
      expect(refused.out).toContain('a server is running')
      expect(await epochOf(server.url, token)).toBe(epoch)
    } finally {
      await server.stop()
    }

    const restored = await trackvault(env, 'restore', file)
    expect(restored.code, restored.out).toBe(0)
    const again = await startServerProcess(env)
    try {
      const t = await signIn(again.url)
      const newEpoch = await epochOf(again.url, t)
      expect(newEpoch).not.toBe(epoch)
      expect(restored.out).toContain(newEpoch)
      const copy = new SqliteDatabase(file, { readonly: true })
      const inBackup = copy.prepare('select count(*) from suppliers').pluck().get()
      copy.close()
      const res = await fetch(`${again.url}/api/suppliers?limit=1`, { headers: { authorization: `Bearer ${t}` } })
      expect(((await res.json()) as { total: number }).total).toBe(inBackup)
      // While it serves, --mark-restored is refused too.
      expect((await trackvault(env, 'restore', '--mark-restored')).code).toBe(1)
    } finally {
      await again.stop()
    }
  })

  test('bad usage and bad backups are refused with a reason', async () => {
    const env = { ...db.env }
    expect((await trackvault(env, 'restore')).code).toBe(2)
    expect((await trackvault(env, 'backup')).code).toBe(2)
    const missing = await trackvault(env, 'restore', join(dir, 'nope.db'))
    expect(missing.code).toBe(1)
    expect(missing.out).toContain('no backup')
    const notOurs = join(dir, 'other.db')
    new SqliteDatabase(notOurs).exec('create table t (x)')
    const wrong = await trackvault(env, 'restore', notOurs)
    expect(wrong.code).toBe(1)
    expect(wrong.out).toContain('not a TrackVault database')
    expect(existsSync(db.env.TRACKVAULT_DB)).toBe(true)
  })
})

describe.runIf(TEST_DIALECT === 'postgres')('PostgreSQL backup and restore', () => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb()
  })
  afterAll(() => db?.drop().catch(() => {}))

  test('backup prints the pg_dump command; restore FILE points to pg_restore; --mark-restored sets a new epoch', async () => {
    const backup = await trackvault(db.env, 'backup', '/tmp/x.dump')
    expect(backup.code).toBe(0)
    expect(backup.out).toContain(`pg_dump --format=custom --schema=${db.env.TRACKVAULT_PG_SCHEMA}`)
    const restore = await trackvault(db.env, 'restore', '/tmp/x.dump')
    expect(restore.code).toBe(1)
    expect(restore.out).toContain('pg_restore')
    const read = async () =>
      (await db.handle.db.selectFrom('server_identity').select('epoch').executeTakeFirstOrThrow()).epoch
    const before = await read()
    const marked = await trackvault(db.env, 'restore', '--mark-restored')
    expect(marked.code, marked.out).toBe(0)
    const after = await read()
    expect(after).not.toBe(before)
    expect(marked.out).toContain(after)
  })
})
