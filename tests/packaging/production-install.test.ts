/**
 * The release installs and runs without a dev dependency (issue 14, build
 * and run): `npm run release` packs the built server and web app; the
 * tarball is unpacked into a temporary folder, installed with
 * `npm ci --omit=dev`, and started with `npx trackvault serve` on SQLite and
 * on PostgreSQL (a schema of its own). Each answers /health, serves the web
 * app and signs in the admin made from the environment. One install serves
 * both databases.
 *
 * better-sqlite3 compiles its native addon on install when no prebuilt
 * binary can be downloaded (2.5 minutes on this machine): the install skips
 * install scripts and takes the addon this checkout's own `npm ci` compiled,
 * after checking it is the same version.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePort, pgAdmin } from '@trackvault/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const run = promisify(execFile)
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const ADMIN = { email: 'ops@example.com', password: 'release-admin-password' }

let work: string
let release: string

beforeAll(async () => {
  if (!existsSync(join(root, 'packages/server/web/index.html'))) {
    await run('npm', ['run', 'build', '-w', '@trackvault/web'], { cwd: root })
  }
  // The global setup built the server; pack what is built.
  await run(process.execPath, ['scripts/release.mjs', '--no-build'], { cwd: root })
  const version = JSON.parse(readFileSync(join(root, 'packages/server/package.json'), 'utf8')).version
  work = mkdtempSync(join(tmpdir(), 'trackvault-release-'))
  await run('tar', ['-xzf', join(root, 'release', `trackvault-${version}.tgz`), '-C', work])
  release = join(work, `trackvault-${version}`)
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: release,
  })
  const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'
  const version0 = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'node_modules/better-sqlite3/package.json'), 'utf8')).version
  expect(version0(release)).toBe(version0(root))
  mkdirSync(dirname(join(release, addon)), { recursive: true })
  copyFileSync(join(root, addon), join(release, addon))
}, 300_000)

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true })
})

test('the install holds no dev dependency and no sources', () => {
  for (const dev of ['typescript', 'tsx', 'vite', 'esbuild', 'vitest', '@trackvault/core']) {
    expect(existsSync(join(release, 'node_modules', dev)), dev).toBe(false)
  }
  expect(existsSync(join(release, 'dist/cli.js'))).toBe(true)
  expect(existsSync(join(release, 'src'))).toBe(false)
})

/** `npx trackvault serve` in the release folder, in a process group of its own (npx runs it through a shell). */
async function serve(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void>; output(): string }> {
  const port = await freePort()
  const child = spawn('npx', ['trackvault', 'serve'], {
    cwd: release,
    detached: true,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      TRACKVAULT_ADMIN_EMAIL: ADMIN.email,
      TRACKVAULT_ADMIN_PASSWORD: ADMIN.password,
      TRACKVAULT_DEMO: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d) => {
    out += d
  })
  child.stderr?.on('data', (d) => {
    out += d
  })
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()))
  const stop = async () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM')
    await exited
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`trackvault serve exited (${child.exitCode}):\n${out}`)
    try {
      if ((await fetch(`${url}/health`)).ok) break
    } catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`trackvault serve did not become healthy:\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { url, child, stop, output: () => out }
}

async function checkServer(url: string, database: string) {
  const health = await fetch(`${url}/health`)
  expect(await health.json()).toMatchObject({ status: 'ok', database })
  const page = await fetch(`${url}/`)
  expect(page.status).toBe(200)
  expect(await page.text()).toContain('<div id="root">')
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  })
  expect(login.status).toBe(200)
  expect(await login.json()).toMatchObject({ token: expect.any(String), user: { email: ADMIN.email, role: 'admin' } })
}

/** `npx trackvault ...args` in the release folder; rejects on a non-zero exit. */
async function trackvault(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run('npx', ['trackvault', ...args], {
    cwd: release,
    env: { ...process.env, TRACKVAULT_DEMO: '0', LOG_LEVEL: 'warn', ...env },
  })
  return stdout
}

describe('npx trackvault serve from the release', () => {
  test('on SQLite, then the operator verbs', async () => {
    const data = mkdtempSync(join(tmpdir(), 'trackvault-release-db-'))
    const env = { TRACKVAULT_DB: join(data, 'trackvault.db') }
    const server = await serve(env)
    try {
      await checkServer(server.url, 'sqlite')
    } finally {
      await server.stop()
    }
    try {
      expect(await trackvault(['check'], env)).toMatch(/users\s+1 \(1 active admin\)\nOK\n$/)
      expect(await trackvault(['migrate', '--status'], env)).toMatch(/\d+ applied, 0 pending/)
      await trackvault(['user', 'create', '--email', 'm@example.com', '--role', 'manager', '--password-env', 'PW'], {
        ...env,
        PW: 'manager-password',
      })
      const users = JSON.parse(await trackvault(['user', 'list', '--json'], env)) as { email: string }[]
      expect(users.map((u) => u.email)).toEqual(['m@example.com', ADMIN.email])
    } finally {
      rmSync(data, { recursive: true, force: true })
    }
  })

  test('on PostgreSQL', async () => {
    const schema = `release_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    await pgAdmin(`CREATE SCHEMA ${schema}`)
    const server = await serve({ DATABASE_URL: process.env.TEST_DATABASE_URL as string, TRACKVAULT_PG_SCHEMA: schema })
    try {
      await checkServer(server.url, 'postgres')
    } finally {
      await server.stop()
      await pgAdmin(`DROP SCHEMA ${schema} CASCADE`)
    }
  })
})
