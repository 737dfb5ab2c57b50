/** Resource use of any process by pid, from Linux /proc (for processes that are not a BenchServer). */
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const CLOCK_TICKS = 100

/** Resident set size in bytes (VmRSS), NaN if the process is gone. */
export function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : Number.NaN
  } catch {
    return Number.NaN
  }
}

/** User + system CPU time used so far, in ms; NaN if the process is gone. */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}

/** The soft and hard limits on open files of a process (default: this one). */
export function openFileLimits(pid: number | 'self' = 'self'): { soft: number; hard: number } {
  try {
    const m = /Max open files\s+(\S+)\s+(\S+)/.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))
    const n = (s: string | undefined) => (s === undefined || s === 'unlimited' ? Number.POSITIVE_INFINITY : Number(s))
    return { soft: n(m?.[1]), hard: n(m?.[2]) }
  } catch {
    return { soft: Number.NaN, hard: Number.NaN }
  }
}

export const MB = 1024 * 1024

/**
 * CPU ms so far of each PostgreSQL process on this machine (its backends, WAL writer and other
 * helpers), by pid: the database's share of a run on the same machine (see `cpuSince`).
 */
export function postgresCpu(): Map<number, number> {
  const cpu = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue
    } catch {
      continue
    }
    const ms = cpuMsOf(Number(entry))
    if (!Number.isNaN(ms)) cpu.set(Number(entry), ms)
  }
  return cpu
}

/** CPU ms the processes of `now` spent since `before` (a process that exited meanwhile is left out). */
export function cpuSince(before: Map<number, number>, now: Map<number, number>): number {
  let total = 0
  for (const [pid, ms] of now) total += ms - (before.get(pid) ?? 0)
  return total
}
