/**
 * Runs TrackVault as a real child process, the build that `npm start` and the
 * release run (`node dist/cli.js serve`), for tests of start-up, shutdown and
 * multi-process behaviour. The test runs' global setup keeps the build fresh
 * (scripts/build-server.mjs).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** The built `trackvault` command. */
export const SERVER_CLI = join(serverDir, 'dist', 'cli.js')

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

/** Polls `url`/health until it answers 200; throws with the server's output if it exits or times out. */
export async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number, output: () => string) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${output()}`)
    try {
      const res = await fetch(`${url}/health`)
      if (res.ok) return
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not become healthy:\n${output()}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

export interface ServerProcess {
  url: string
  child: ChildProcess
  output: () => string
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

/** Starts `trackvault serve` with `env` and waits until /health answers. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<ServerProcess> {
  if (!existsSync(SERVER_CLI)) throw new Error(`${SERVER_CLI} is not built: npm run build -w @trackvault/server`)
  const port = env.PORT ? Number(env.PORT) : await freePort()
  const child = spawn(process.execPath, [SERVER_CLI, 'serve'], {
    cwd: serverDir,
    env: { ...process.env, LOG_LEVEL: 'info', TRACKVAULT_DEMO: '0', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    out += d
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  await waitHealthy(url, child, timeoutMs, () => out)
  return {
    url,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal)
      return exited
    },
  }
}
