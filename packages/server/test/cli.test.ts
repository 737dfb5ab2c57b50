/**
 * The operator's verbs, run as the built `trackvault` command against a real
 * database (this project's dialect: a SQLite file or a PostgreSQL schema).
 */
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { verifyPassword } from '../src/auth/passwords'
import { authenticate, issueToken } from '../src/auth/tokens'
import { findUserByEmail } from '../src/auth/users'
import { migrationStatus } from '../src/db/migrate'
import { DEMO_ACCOUNTS } from '../src/seed/bootstrap'
import { createTestDb, TEST_DIALECT, type TestDb } from '../src/testing/test-db'
import { runCli, runOnTerminal } from './helpers/cli'

// No database involved: once, in the SQLite run.
describe.runIf(TEST_DIALECT === 'sqlite')('trackvault --help and usage errors', { timeout: 90_000 }, () => {
  test('every verb has a --help (exit 0); an unknown verb, action or option is a usage error (exit 2)', async () => {
    const top = await runCli(['--help'])
    expect(top.code).toBe(0)
    for (const verb of ['serve', 'migrate', 'user', 'demo', 'check']) {
      expect(top.stdout).toContain(`  ${verb}`)
      const help = await runCli([verb, '--help'])
      expect(help.code, verb).toBe(0)
      expect(help.stdout, verb).toMatch(new RegExp(`^Usage: trackvault ${verb}`))
    }
    expect((await runCli(['frobnicate'])).code).toBe(2)
    expect((await runCli([])).code).toBe(2)
    expect((await runCli(['migrate', '--force'])).code).toBe(2)
    const action = await runCli(['user', 'promote', 'x@example.com'])
    expect(action.code).toBe(2)
    expect(action.stderr).toContain("unknown action 'promote'")
    expect((await runCli(['user', 'set-role', 'x@example.com', 'king'])).code).toBe(2)
    const stray = await runCli(['user', 'list', '--generate-password'])
    expect(stray.code).toBe(2)
    expect(stray.stderr).toContain('list does not take --generate-password')
  })
})

describe(`trackvault on ${TEST_DIALECT}`, { timeout: 90_000 }, () => {
  let db: TestDb
  beforeAll(async () => {
    db = await createTestDb({ migrate: false })
  })
  afterAll(() => db?.drop())
  const cli = (args: string[], env: Record<string, string> = {}, input?: string) =>
    runCli(args, { ...db.env, ...env }, input)

  test('check on an empty database with no admin fails and says how to create one', async () => {
    const r = await cli(['check'])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(TEST_DIALECT === 'sqlite' ? /database\s+SQLite / : /database\s+PostgreSQL postgres:\/\//)
    expect(r.stdout).toMatch(/demo\s+off/)
    expect(r.stderr).toContain('no users: nobody can sign in; create the first admin with `trackvault user create')
    // With the admin variables set, serve would create the admin: ready.
    const ready = await cli(['check'], {
      TRACKVAULT_ADMIN_EMAIL: 'boss@example.com',
      TRACKVAULT_ADMIN_PASSWORD: 'secret-pw-1',
    })
    expect(ready.code, ready.all).toBe(0)
    expect(ready.all).not.toContain('secret-pw-1')
  })

  test('migrate --status lists pending migrations, migrate applies them, then nothing is pending', async () => {
    const before = await cli(['migrate', '--status'])
    expect(before.code).toBe(0)
    expect(before.stdout).toMatch(/ {2}pending {2}001-initial\n/)
    expect(before.stdout).toMatch(/\n0 applied, \d+ pending\n/)
    const up = await cli(['migrate'])
    expect(up.code, up.all).toBe(0)
    expect(up.stdout).toMatch(/ {2}applied {2}001-initial\n/)
    const status = await migrationStatus(db.handle.db)
    expect(status.pending).toEqual([])
    const after = await cli(['migrate', '--status'])
    expect(after.stdout).toMatch(new RegExp(`\\n${status.applied.length} applied, 0 pending\\n`))
    expect(after.stdout).toMatch(/ {2}applied {2}001-initial {2}\d{4}-\d\d-\d\dT/)
    expect((await cli(['migrate'])).stdout).toContain('already up to date')
  })

  test('user create takes the password from an env var, stdin or a generator; never echoes a given one', async () => {
    const fromEnv = await cli(
      [
        'user',
        'create',
        '--email',
        'Boss@Example.com',
        '--name',
        'The Boss',
        '--role',
        'admin',
        '--password-env',
        'ADMIN_PW',
      ],
      {
        ADMIN_PW: 'env-secret-123',
      },
    )
    expect(fromEnv.code, fromEnv.all).toBe(0)
    expect(fromEnv.stdout).toContain('created boss@example.com (admin)')
    expect(fromEnv.all).not.toContain('env-secret-123')
    const boss = await findUserByEmail(db.handle.db, 'boss@example.com')
    expect(await verifyPassword('env-secret-123', boss?.password_hash ?? '')).toBe(true)

    const fromStdin = await cli(
      ['user', 'create', '--email', 'm@example.com', '--role', 'manager', '--password-stdin'],
      {},
      'stdin-secret-123\n',
    )
    expect(fromStdin.code, fromStdin.all).toBe(0)
    expect(fromStdin.all).not.toContain('stdin-secret-123')
    const manager = await findUserByEmail(db.handle.db, 'm@example.com')
    expect(await verifyPassword('stdin-secret-123', manager?.password_hash ?? '')).toBe(true)

    const generated = await cli([
      'user',
      'create',
      '--email',
      'c@example.com',
      '--role',
      'collector',
      '--generate-password',
    ])
    expect(generated.code, generated.all).toBe(0)
    const shown = /password \(shown once[^)]*\): (\S+)/.exec(generated.stdout)?.[1] ?? ''
    expect(shown.length).toBeGreaterThanOrEqual(20)
    const collector = await findUserByEmail(db.handle.db, 'c@example.com')
    expect(await verifyPassword(shown, collector?.password_hash ?? '')).toBe(true)

    // No terminal to prompt on and no source: usage error; a short password or a taken email: refused.
    const noSource = await cli(['user', 'create', '--email', 'x@example.com', '--role', 'finance'])
    expect(noSource.code).toBe(2)
    expect(noSource.stderr).toContain('--password-env, --password-stdin or --generate-password')
    const short = await cli(
      ['user', 'create', '--email', 'x@example.com', '--role', 'finance', '--password-stdin'],
      {},
      'short\n',
    )
    expect(short.code).toBe(1)
    expect(short.stderr).toContain('password must be at least 8 characters')
    expect(short.all).not.toContain('short\n')
    const taken = await cli([
      'user',
      'create',
      '--email',
      'boss@example.com',
      '--role',
      'finance',
      '--generate-password',
    ])
    expect(taken.code).toBe(1)
    expect(taken.stderr).toContain('DUPLICATE')
    expect(await findUserByEmail(db.handle.db, 'x@example.com')).toBeUndefined()
  })

  test('user list, set-role with the last-admin rule, deactivate and reset-password end sessions', async () => {
    const list = await cli(['user', 'list', '--json'])
    expect(list.code).toBe(0)
    const users = JSON.parse(list.stdout) as { email: string; role: string; is_active: boolean }[]
    expect(users.map((u) => `${u.email}:${u.role}`)).toEqual([
      'boss@example.com:admin',
      'c@example.com:collector',
      'm@example.com:manager',
    ])
    expect(list.stdout).not.toContain('password')
    expect((await cli(['user', 'list'])).stdout).toMatch(/^EMAIL\s+NAME\s+ROLE\s+ACTIVE\s+ID\n/)

    const lastAdmin = await cli(['user', 'set-role', 'boss@example.com', 'manager'])
    expect(lastAdmin.code).toBe(1)
    expect(lastAdmin.stderr).toContain('LAST_ADMIN')
    expect((await cli(['user', 'deactivate', 'boss@example.com'])).stderr).toContain('LAST_ADMIN')
    const promoted = await cli(['user', 'set-role', 'm@example.com', 'admin'])
    expect(promoted.code, promoted.all).toBe(0)
    expect((await findUserByEmail(db.handle.db, 'm@example.com'))?.role).toBe('admin')
    expect((await cli(['user', 'set-role', 'nobody@example.com', 'admin'])).stderr).toContain('NOT_FOUND')

    // Deactivation ends the user's sessions, as the API does.
    const collector = await findUserByEmail(db.handle.db, 'c@example.com')
    const session = await issueToken(db.handle.db, collector?.id ?? '', null, 3_600_000)
    await authenticate(db.handle.db, session.token)
    const off = await cli(['user', 'deactivate', 'c@example.com'])
    expect(off.code, off.all).toBe(0)
    await expect(authenticate(db.handle.db, session.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
    expect(await cli(['user', 'activate', collector?.id ?? ''])).toMatchObject({ code: 0 })

    // A lost admin password is recovered from the command line; the old password and sessions stop working.
    const boss = await findUserByEmail(db.handle.db, 'boss@example.com')
    const bossSession = await issueToken(db.handle.db, boss?.id ?? '', null, 3_600_000)
    const reset = await cli(['user', 'reset-password', 'boss@example.com', '--password-env', 'NEW_PW'], {
      NEW_PW: 'recovered-123',
    })
    expect(reset.code, reset.all).toBe(0)
    expect(reset.all).not.toContain('recovered-123')
    const after = await findUserByEmail(db.handle.db, 'boss@example.com')
    expect(await verifyPassword('recovered-123', after?.password_hash ?? '')).toBe(true)
    expect(await verifyPassword('env-secret-123', after?.password_hash ?? '')).toBe(false)
    await expect(authenticate(db.handle.db, bossSession.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' })
  })

  test('on a terminal the password is prompted for twice, hidden', async () => {
    const typed = await runOnTerminal(['user', 'reset-password', 'm@example.com'], db.env, [
      'tty-secret-123',
      'tty-secret-123',
    ])
    expect(typed.code, typed.all).toBe(0)
    expect(typed.all).toContain('Repeat it: ')
    expect(typed.all).toContain('password changed')
    expect(typed.all).not.toContain('tty-secret-123')
    const manager = await findUserByEmail(db.handle.db, 'm@example.com')
    expect(await verifyPassword('tty-secret-123', manager?.password_hash ?? '')).toBe(true)
    const differ = await runOnTerminal(['user', 'reset-password', 'm@example.com'], db.env, [
      'one-secret-1',
      'two-secret-2',
    ])
    expect(differ.code).toBe(1)
    expect(differ.all).toContain('the two passwords differ')
    expect(differ.all).not.toMatch(/one-secret-1|two-secret-2/)
  })

  test('demo seeds on purpose; check fails while demo accounts are active with demo off; demo --remove fixes it', async () => {
    expect((await cli(['check'])).code).toBe(0)
    const seeded = await cli(['demo'])
    expect(seeded.code, seeded.all).toBe(0)
    expect(seeded.stdout).toContain(DEMO_ACCOUNTS[0].email)
    const suppliers = await db.handle.db.selectFrom('suppliers').select('id').execute()
    expect(suppliers.length).toBe(6)
    const again = await cli(['demo'])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already has suppliers')

    const unsafe = await cli(['check'])
    expect(unsafe.code).toBe(1)
    expect(unsafe.stderr).toContain('demo accounts are active while TRACKVAULT_DEMO=0')
    expect((await cli(['check'], { TRACKVAULT_DEMO: '1' })).code).toBe(0)

    const removed = await cli(['demo', '--remove'])
    expect(removed.code, removed.all).toBe(0)
    expect(removed.stdout).toContain(`deactivated ${DEMO_ACCOUNTS[0].email}`)
    const safe = await cli(['check'])
    expect(safe.code, safe.all).toBe(0)
    expect(safe.stdout).toMatch(/users\s+7 \(2 active admins\)/)
    expect(safe.stdout).toMatch(/migrations\s+\d+ applied, 0 pending/)
  })

  test.runIf(TEST_DIALECT === 'sqlite')('migrate --status and check create no SQLite file', async () => {
    const file = join(tmpdir(), `trackvault-none-${process.pid}`, 'tv.db')
    const status = await runCli(['migrate', '--status'], { TRACKVAULT_DB: file })
    expect(status.code, status.all).toBe(0)
    expect(status.stdout).toMatch(/not created yet[\s\S]*\n0 applied, \d+ pending\n/)
    expect((await runCli(['check'], { TRACKVAULT_DB: file })).stdout).toContain('not created yet')
    expect(existsSync(file)).toBe(false)
  })

  test.runIf(TEST_DIALECT === 'postgres')(
    'check connects with a password in DATABASE_URL and prints it masked',
    async () => {
      const url = new URL(db.env.DATABASE_URL)
      url.password = 'hunter2-secret'
      const r = await cli(['check'], { DATABASE_URL: url.toString() })
      expect(r.code, r.all).toBe(0)
      expect(r.stdout).toContain(`${url.username}:***@`)
      expect(r.all).not.toContain('hunter2-secret')
    },
  )

  test('check fails on a configuration error and on a database it cannot reach, masking the password', async () => {
    const bad = await cli(['check'], { PORT: 'eighty' })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("PORT: 'eighty' is not a whole number")
    const unreachable = await runCli(['check'], { DATABASE_URL: 'postgres://tv:hunter2-secret@127.0.0.1:1/tv' })
    expect(unreachable.code).toBe(1)
    expect(unreachable.stdout).toContain('postgres://tv:***@127.0.0.1:1/tv')
    expect(unreachable.stderr).toContain('problem: the database cannot be used')
    expect(unreachable.all).not.toContain('hunter2-secret')
    for (const verb of [['migrate'], ['user', 'list'], ['demo']]) {
      const r = await runCli(verb, { DATABASE_URL: 'postgres://tv:hunter2-secret@127.0.0.1:1/tv' })
      expect(r.code, verb.join(' ')).toBe(1)
      expect(r.all).not.toContain('hunter2-secret')
    }
  })
})
