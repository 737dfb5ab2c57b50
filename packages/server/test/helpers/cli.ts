/** Runs the built `trackvault` command as a child process, the way an operator runs it. */
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import { SERVER_CLI } from '../../src/testing/server-process'

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout and stderr together, for "never printed" checks. */
  all: string
}

/**
 * `trackvault ...args` with `env` over a clean environment (no DATABASE_URL
 * or TRACKVAULT_* of the runner's), in a temporary folder, `input` on stdin.
 */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TRACKVAULT_') && k !== 'DATABASE_URL' && k !== 'PORT'),
  )
  const child = spawn(process.execPath, [SERVER_CLI, ...args], {
    cwd: tmpdir(),
    env: { ...base, LOG_LEVEL: 'warn', ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => {
    stdout += d
  })
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  if (input !== undefined) child.stdin?.end(input)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr, all: stdout + stderr }))
  })
}
