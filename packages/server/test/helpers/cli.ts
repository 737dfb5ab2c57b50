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

/** The runner's environment without the variables TrackVault reads. */
function cleanEnv(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TRACKVAULT_') && k !== 'DATABASE_URL' && k !== 'PORT'),
  )
}

/**
 * `trackvault ...args` with `env` over a clean environment (no DATABASE_URL
 * or TRACKVAULT_* of the runner's), in a temporary folder, `input` on stdin.
 */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const base = cleanEnv()
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

/**
 * `trackvault ...args` on a pseudo-terminal (util-linux `script`), typing
 * each of `answers` once the prompt for it has shown; `all` is what the
 * terminal displayed.
 */
export function runOnTerminal(
  args: string[],
  env: Record<string, string>,
  answers: string[],
  prompt = /(Password|Repeat it): $/,
): Promise<CliResult> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  const command = [process.execPath, SERVER_CLI, ...args].map(quote).join(' ')
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: tmpdir(),
    env: { ...cleanEnv(), LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let answered = 0
  child.stdout?.on('data', (d) => {
    stdout += d
    if (answered < answers.length && prompt.test(stdout)) {
      child.stdin?.write(`${answers[answered++]}\r`)
      stdout += '\u0000' // the prompt is answered: do not match it again
    }
  })
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      stdout = stdout.replaceAll('\u0000', '')
      resolve({ code, stdout, stderr, all: stdout + stderr })
    })
  })
}
