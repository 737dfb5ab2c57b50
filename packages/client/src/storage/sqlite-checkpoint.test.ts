/**
 * The SQLite store checkpoints its WAL when the device is idle, never inside
 * a commit (issue 21: local write p99), with SQLite's own checkpoint kept as a
 * bound for a device that never stops writing. Each test watches the files:
 * the database file changes only when a checkpoint ran, and a copy of the
 * database file alone holds what was checkpointed.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, test } from 'vitest'
import type { Json, KVStore } from './kv-store'
import { createSqliteStore } from './sqlite-store'

const dirs: string[] = []
const stores: KVStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {})
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tv-ckpt-'))
  dirs.push(dir)
  return dir
}

/** A store that is closed after the test. */
function open(file: string | Database.Database, options: Parameters<typeof createSqliteStore>[1]): KVStore {
  const store = createSqliteStore(file, options)
  stores.push(store)
  return store
}

const size = (file: string) => statSync(file).size
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Keys in a copy of the database file alone (without its WAL): what checkpoints have put there. */
function keysInDatabaseFile(file: string): number {
  const copy = join(tempDir(), 'copy.db')
  copyFileSync(file, copy)
  const db = new Database(copy)
  try {
    const hasKv = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'kv'").pluck().get() as number
    return hasKv ? (db.prepare('SELECT count(*) FROM kv').pluck().get() as number) : 0
  } finally {
    db.close()
  }
}

/** `n` puts of about 3 KB each (about one page each) under `prefix`. */
const puts = (prefix: string, n: number): Array<[string, Json]> =>
  Array.from({ length: n }, (_, i) => [`${prefix}/${String(i).padStart(6, '0')}`, { pad: 'x'.repeat(3000), i }])

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(20)
  }
}

describe('sqlite store: checkpoints when idle, not on the write path', () => {
  test('a commit past SQLite default checkpoint size (1,000 pages) does not checkpoint: the database file is untouched', async () => {
    const file = join(tempDir(), 'kv.db')
    const store = open(file, { idleCheckpointMs: 60_000 })
    await store.commit({ put: [['first', 1]] })
    const before = size(file)
    await store.commit({ put: puts('big', 1200) })
    for (let i = 0; i < 20; i++) await store.commit({ put: puts(`small${i}`, 3) })
    expect(size(file)).toBe(before)
    expect(size(`${file}-wal`)).toBeGreaterThan(1200 * 4096)
    expect(keysInDatabaseFile(file)).toBe(0)
    expect(await store.get('big/001199')).toEqual({ pad: 'x'.repeat(3000), i: 1199 })
  })

  test('once commits stop, an idle checkpoint puts everything in the database file, and the WAL is written again from its start', async () => {
    const file = join(tempDir(), 'kv.db')
    const store = open(file, { idleCheckpointMs: 50, idleCheckpointPages: 100 })
    for (let i = 0; i < 30; i++) await store.commit({ put: puts(`a${i}`, 10) })
    await until(() => keysInDatabaseFile(file) === 300)
    const wal = size(`${file}-wal`)
    // Two thirds as much again, after the checkpoint: written over the old frames, not after them.
    for (let i = 0; i < 20; i++) await store.commit({ put: puts(`b${i}`, 10) })
    expect(size(`${file}-wal`)).toBeLessThanOrEqual(wal)
    await until(() => keysInDatabaseFile(file) === 500)
  })

  test('an idle period checkpoints only once the WAL holds idleCheckpointPages (a checkpointed WAL costs the next commit a second fsync)', async () => {
    const file = join(tempDir(), 'kv.db')
    const store = open(file, { idleCheckpointMs: 20, idleCheckpointPages: 1000 })
    for (let i = 0; i < 5; i++) await store.commit({ put: puts(`few${i}`, 2) })
    await sleep(300)
    expect(keysInDatabaseFile(file)).toBe(0)
    await store.commit({ put: puts('many', 1100) })
    await until(() => keysInDatabaseFile(file) === 1110)
  })

  test('a device that never goes idle still checkpoints at the WAL bound', async () => {
    const file = join(tempDir(), 'kv.db')
    const store = open(file, { idleCheckpointMs: 60_000, walLimitPages: 64 })
    const pageSize = 4096
    for (let i = 0; i < 150; i++) await store.commit({ put: puts(`k${i}`, 3) })
    // 150 commits of 3+ pages each are over 450 pages; the bound keeps the WAL near 64 (plus the commit that crossed it).
    expect(size(`${file}-wal`)).toBeLessThanOrEqual((64 + 16) * (pageSize + 24) + 32)
    expect(keysInDatabaseFile(file)).toBeGreaterThan(300)
    expect((await store.scan('k')).length).toBe(450)
  })

  test('close checkpoints a borrowed Database and leaves it open', async () => {
    const file = join(tempDir(), 'kv.db')
    const db = new Database(file)
    try {
      const store = open(db, { idleCheckpointMs: 60_000 })
      await store.commit({ put: puts('k', 20) })
      expect(keysInDatabaseFile(file)).toBe(0)
      await store.close()
      expect(db.open).toBe(true)
      expect(keysInDatabaseFile(file)).toBe(20)
    } finally {
      db.close()
    }
  })

  test('rejects bounds that are not page counts or delays', () => {
    expect(() => createSqliteStore(':memory:', { walLimitPages: 0 })).toThrow(RangeError)
    expect(() => createSqliteStore(':memory:', { walLimitPages: 1.5 })).toThrow(RangeError)
    expect(() => createSqliteStore(':memory:', { idleCheckpointMs: -1 })).toThrow(RangeError)
    expect(() => createSqliteStore(':memory:', { idleCheckpointPages: -1 })).toThrow(RangeError)
  })

  test('a process killed before any checkpoint loses no acknowledged commit', async () => {
    const dir = tempDir()
    const file = join(dir, 'kv.db')
    const script = join(dir, 'writer.mts')
    const adapter = fileURLToPath(new URL('./sqlite-store.ts', import.meta.url))
    // Nothing is ever checkpointed (idle never comes, the bound is far): every commit lives in the WAL only.
    writeFileSync(
      script,
      `import { createSqliteStore } from ${JSON.stringify(adapter)}
const store = createSqliteStore(${JSON.stringify(file)}, { idleCheckpointMs: 600000, walLimitPages: 1000000 })
for (let n = 1; ; n++) {
  await store.commit({ put: [['n', n], ['row/' + String(n).padStart(8, '0'), { n, pad: 'x'.repeat(500) }]] })
  process.stdout.write('acked ' + n + '\\n')
}
`,
    )
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let acked = 0
    let buffered = ''
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines) acked = Math.max(acked, Number(line.slice('acked '.length)))
        if (acked >= 200) resolve()
      })
      child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)))
    })
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    expect(keysInDatabaseFile(file)).toBe(0) // all of it was in the WAL

    const store = open(file, {})
    const n = (await store.get('n')) as number
    expect(n).toBeGreaterThanOrEqual(acked)
    expect((await store.scan('row/')).length).toBe(n)
  }, 30_000)
})
