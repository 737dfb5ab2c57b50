#!/usr/bin/env node
/**
 * Cold start of the server, built (`node dist/cli.js serve`) against the
 * sources through tsx: time from spawn to the first successful /health, and
 * the CPU time it took, and the resident set size right after. SQLite in a temp folder, a fresh
 * database each run; prints the median of `--runs` (5) starts per variant.
 * Build first (`npm run build -w @trackvault/server`).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const serverDir = resolve(dirname(fileURLToPath(import.meta.url)), '../packages/server')
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } })
const VARIANTS = {
  'node dist (built)': ['dist/cli.js', 'serve'],
  'tsx src': ['--conditions=@trackvault/source', '--import', 'tsx', 'src/cli/index.ts', 'serve'],
}

const freePort = () =>
  new Promise((ok) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => ok(port))
    })
  })
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function once(args) {
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-start-'))
  const port = await freePort()
  const started = performance.now()
  const child = spawn(process.execPath, args, {
    cwd: serverDir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', TRACKVAULT_DB: join(dir, 't.db'), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  })
  try {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break
      } catch {}
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode})`)
      await new Promise((r) => setTimeout(r, 10))
    }
    const ms = performance.now() - started
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024
    // CPU time the process used to get there (user + system, in clock ticks of 10 ms): steadier than wall time on a busy machine.
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
    const cpu = (Number(stat[11]) + Number(stat[12])) * 10
    return { ms, rss, cpu }
  } finally {
    const exited = new Promise((ok) => child.once('exit', ok))
    child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
}

for (const [name, args] of Object.entries(VARIANTS)) {
  const runs = []
  for (let i = 0; i < Number(values.runs); i++) runs.push(await once(args))
  console.log(
    `${name.padEnd(18)} cold start ${median(runs.map((r) => r.ms)).toFixed(0)} ms (CPU ${median(runs.map((r) => r.cpu))} ms), RSS after start ${median(runs.map((r) => r.rss)).toFixed(0)} MiB  (median of ${runs.length}; starts: ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms)`,
  )
}
