/** The machine a run happened on, printed with the table and stored in the JSON. */
import { execSync } from 'node:child_process'
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { PG_URL } from './env'
import { now, percentile } from './stats'

export interface MachineInfo {
  nproc: number
  cpu: string
  node: string
  memory_gb: number
  /** 1, 5 and 15 minute load averages (the machine may be shared). */
  loadavg_start: number[]
  loadavg_end?: number[]
  kernel: string
  postgres?: { version: string; fsync: string; synchronous_commit: string; wal_sync_method: string }
  sqlite: string
  /** 4 KiB write + fdatasync in the temp folder (where the SQLite files live): what one durable commit costs at least. */
  fsync_ms: { p50: number; p99: number }
}

/** Times `count` 4 KiB appends each followed by fdatasync, in the folder the bench databases use. */
export function probeFsync(count = 200): { p50: number; p99: number } {
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-bench-fsync-'))
  const fd = openSync(join(dir, 'probe'), 'w')
  const block = Buffer.alloc(4096, 1)
  const times: number[] = []
  try {
    for (let i = 0; i < count; i++) {
      const t0 = now()
      writeSync(fd, block)
      fdatasyncSync(fd)
      times.push(now() - t0)
    }
  } finally {
    closeSync(fd)
    rmSync(dir, { recursive: true, force: true })
  }
  const r = (x: number) => Math.round(x * 1000) / 1000
  return { p50: r(percentile(times, 50)), p99: r(percentile(times, 99)) }
}

function sh(cmd: string): string {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

export async function machineInfo(withPostgres: boolean): Promise<MachineInfo> {
  const info: MachineInfo = {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    memory_gb: Math.round(totalmem() / 1024 ** 3),
    loadavg_start: loadavg().map((l) => Math.round(l * 100) / 100),
    kernel: sh('uname -sr'),
    sqlite: 'better-sqlite3, WAL, synchronous=FULL',
    fsync_ms: probeFsync(),
  }
  if (withPostgres) {
    const client = new pg.Client({ connectionString: PG_URL })
    try {
      await client.connect()
      const one = async (q: string) => String(Object.values((await client.query(q)).rows[0] ?? {})[0] ?? '')
      info.postgres = {
        version: await one('show server_version'),
        fsync: await one('show fsync'),
        synchronous_commit: await one('show synchronous_commit'),
        wal_sync_method: await one('show wal_sync_method'),
      }
    } finally {
      await client.end().catch(() => {})
    }
  }
  return info
}

export function describeMachine(m: MachineInfo): string {
  const lines = [
    `machine: ${m.nproc} cores (${m.cpu}), ${m.memory_gb} GB, ${m.kernel}, Node ${m.node}`,
    `load average at start: ${m.loadavg_start.join(' ')}${m.loadavg_end ? `; at end: ${m.loadavg_end.join(' ')}` : ''}`,
    `sqlite: ${m.sqlite}`,
    `fsync (4 KiB write + fdatasync, temp folder): p50 ${m.fsync_ms.p50} ms, p99 ${m.fsync_ms.p99} ms`,
  ]
  if (m.postgres) {
    lines.push(
      `postgres: ${m.postgres.version}, fsync=${m.postgres.fsync}, synchronous_commit=${m.postgres.synchronous_commit}, wal_sync_method=${m.postgres.wal_sync_method}`,
    )
  }
  return lines.join('\n')
}
