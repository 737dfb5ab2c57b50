/**
 * Starting safely: two processes starting at once on an empty database both
 * start (migrations, first admin and demo seed are race-safe); demo accounts
 * left active with demo off, and a database nobody can sign in to, are
 * called out at start.
 */
import { afterEach, describe, expect, test } from 'vitest'
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from '../src/seed/bootstrap'
import { type ServerProcess, startServerProcess } from '../src/testing/server-process'
import { createTestDb, TEST_DIALECT, type TestDb } from '../src/testing/test-db'

const login = (url: string, email: string, password: string) =>
  fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })

describe(`start-up safety on ${TEST_DIALECT}`, { timeout: 90_000 }, () => {
  let db: TestDb | undefined
  const servers: ServerProcess[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')))
    await db?.drop()
    db = undefined
  })

  test('two processes starting at once on an empty database both start, with one admin and one demo seed', async () => {
    db = await createTestDb({ migrate: false })
    const env = {
      ...db.env,
      TRACKVAULT_ADMIN_EMAIL: 'boss@example.com',
      TRACKVAULT_ADMIN_PASSWORD: 'a-long-secret',
      TRACKVAULT_DEMO: '1',
    }
    const started = await Promise.allSettled([startServerProcess(env, 60_000), startServerProcess(env, 60_000)])
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value)
    const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []))
    expect(failures).toEqual([])

    const users = await db.handle.db.selectFrom('users').select(['email', 'role']).orderBy('email').execute()
    expect(users.map((u) => u.email)).toEqual(['boss@example.com', ...DEMO_ACCOUNTS.map((a) => a.email)].sort())
    const suppliers = await db.handle.db.selectFrom('suppliers').select('code').execute()
    expect(suppliers).toHaveLength(6)
    for (const server of servers) {
      expect((await login(server.url, 'boss@example.com', 'a-long-secret')).status).toBe(200)
      expect((await login(server.url, DEMO_ACCOUNTS[1].email, DEMO_PASSWORD)).status).toBe(200)
    }
  })

  /**
   * Waits until the server's output holds `text`: the logger writes asynchronously, so a line
   * logged before the server listened may reach the pipe after its first healthy answer (under
   * load it did, and the assertion read the output too early).
   */
  async function logged(server: { output(): string }, text: string) {
    for (let i = 0; i < 100 && !server.output().includes(text); i++) await new Promise((r) => setTimeout(r, 50))
  }

  test('demo accounts active while demo is off: the server starts and warns', async () => {
    db = await createTestDb()
    await seedDemo(db.handle.db, db.handle.caps)
    const server = await startServerProcess({ ...db.env, TRACKVAULT_DEMO: '0' })
    servers.push(server)
    await logged(server, 'demo accounts are active')
    const warning = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => String(l.msg).startsWith('demo accounts are active while TRACKVAULT_DEMO=0'))
    expect(warning).toMatchObject({ level: 40, accounts: DEMO_ACCOUNTS.map((a) => a.email).sort() })
    expect(warning.msg).toContain('trackvault demo --remove')
    // The output never prints the demo password when demo is off.
    expect(server.output()).not.toContain(DEMO_PASSWORD)
  })

  test('a fresh database with no users and no admin variables says how to create the first admin', async () => {
    db = await createTestDb({ migrate: false })
    const server = await startServerProcess({ ...db.env, TRACKVAULT_DEMO: '0' })
    servers.push(server)
    await logged(server, 'no users yet')
    expect(server.output()).toContain(
      'no users yet: nobody can sign in; create the first admin with `trackvault user create',
    )
    expect(server.output()).not.toContain('demo accounts are active')
  })
})
