/** Configuration is validated at start, one clear error per problem; `serve` refuses to start on any. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { loadConfig } from '../src/config'
import { openDatabase } from '../src/db/database'
import { maskDatabaseUrl } from '../src/db/database-url'
import { runCli } from './helpers/cli'

const dir = mkdtempSync(join(tmpdir(), 'trackvault-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const sqlite = { TRACKVAULT_DB: join(dir, 'data', 'tv.db') }

/** The problems loadConfig reports for `env`, one line each (empty if it is valid). */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...sqlite, ...env })
    return []
  } catch (err) {
    const [head, ...lines] = (err as Error).message.split('\n')
    expect(head).toBe('Invalid configuration:')
    return lines.map((l) => l.trim())
  }
}

describe('loadConfig', () => {
  test('defaults are valid', () => {
    const config = loadConfig(sqlite)
    expect(config.PORT).toBe(8080)
    expect(config.TRACKVAULT_TOKEN_TTL_HOURS).toBe(720)
    expect(config.DATABASE_URL).toBeUndefined()
  })

  test('DATABASE_URL: postgres:// and postgresql:// are PostgreSQL; any other scheme or an empty value is an error', () => {
    expect(problems({ DATABASE_URL: 'postgres://u@localhost/db' })).toEqual([])
    expect(problems({ DATABASE_URL: 'postgresql://u:p@db.example.com:5433/db?sslmode=require' })).toEqual([])
    expect(problems({ DATABASE_URL: 'postgress://u@localhost/db' })).toEqual([
      "DATABASE_URL: unknown scheme 'postgress': use postgres:// or postgresql:// (unset it to use SQLite at TRACKVAULT_DB)",
    ])
    expect(problems({ DATABASE_URL: 'mysql://u@localhost/db' })[0]).toMatch(/^DATABASE_URL: unknown scheme 'mysql'/)
    expect(problems({ DATABASE_URL: 'localhost:5432/db' })[0]).toMatch(/^DATABASE_URL: unknown scheme 'localhost'/)
    expect(problems({ DATABASE_URL: '/var/lib/tv.db' })[0]).toMatch(/^DATABASE_URL: unknown scheme \(none\)/)
    expect(problems({ DATABASE_URL: '' })[0]).toMatch(/^DATABASE_URL: is empty: unset it to use SQLite/)
    expect(problems({ DATABASE_URL: 'postgres://u:p@ss@host:x/db' })[0]).toMatch(/^DATABASE_URL: is not a valid URL/)
  })

  test('the database layer refuses an unknown scheme too (no silent SQLite)', () => {
    expect(() =>
      openDatabase({ databaseUrl: 'postgress://u@localhost/db', sqliteFile: join(dir, 'never.db') }),
    ).toThrow(/DATABASE_URL unknown scheme 'postgress'/)
    expect(existsSync(join(dir, 'never.db'))).toBe(false)
  })

  test('PORT: empty, not a whole number, or out of 1-65535 is an error', () => {
    expect(problems({ PORT: '3000' })).toEqual([])
    expect(problems({ PORT: '' })).toEqual(['PORT: is empty: unset it for 8080, or give 1-65535'])
    expect(problems({ PORT: '80a' })).toEqual(["PORT: '80a' is not a whole number (1-65535)"])
    expect(problems({ PORT: '80.5' })).toEqual(["PORT: '80.5' is not a whole number (1-65535)"])
    expect(problems({ PORT: '0' })).toEqual(['PORT: 0 is out of range (1-65535)'])
    expect(problems({ PORT: '65536' })).toEqual(['PORT: 65536 is out of range (1-65535)'])
  })

  test('TRACKVAULT_TOKEN_TTL_HOURS: whole hours from 1 to a year', () => {
    expect(loadConfig({ ...sqlite, TRACKVAULT_TOKEN_TTL_HOURS: '8760' }).TRACKVAULT_TOKEN_TTL_HOURS).toBe(8760)
    expect(problems({ TRACKVAULT_TOKEN_TTL_HOURS: '0' })).toEqual([
      'TRACKVAULT_TOKEN_TTL_HOURS: 0 is out of range (1-8760)',
    ])
    expect(problems({ TRACKVAULT_TOKEN_TTL_HOURS: '8761' })).toEqual([
      'TRACKVAULT_TOKEN_TTL_HOURS: 8761 is out of range (1-8760)',
    ])
    expect(problems({ TRACKVAULT_TOKEN_TTL_HOURS: '-5' })).toEqual([
      "TRACKVAULT_TOKEN_TTL_HOURS: '-5' is not a whole number (1-8760)",
    ])
    expect(problems({ TRACKVAULT_TOKEN_TTL_HOURS: '' })[0]).toMatch(/^TRACKVAULT_TOKEN_TTL_HOURS: is empty/)
  })

  test('the data folder must take the SQLite file: under a file, or where nothing can be created, is an error', () => {
    const file = join(dir, 'a-file')
    writeFileSync(file, '')
    expect(problems({ TRACKVAULT_DB: join(file, 'tv.db') })).toEqual([
      `TRACKVAULT_DB: ${file} is not a folder, so ${join(file, 'tv.db')} cannot be created`,
    ])
    // /proc takes no new files, whoever runs the test (root included).
    expect(problems({ TRACKVAULT_DB: '/proc/trackvault/tv.db' })[0]).toMatch(
      /^TRACKVAULT_DB: the data folder of \/proc\/trackvault\/tv.db is not writable \(E[A-Z]+\)/,
    )
    expect(problems({ TRACKVAULT_DB: dir })).toEqual([`TRACKVAULT_DB: ${dir} is not a file`])
    expect(problems({ TRACKVAULT_DB: '' })).toEqual(['TRACKVAULT_DB: is empty: unset it for ./data/trackvault.db'])
    // With PostgreSQL the SQLite file does not matter.
    expect(problems({ TRACKVAULT_DB: '/proc/trackvault/tv.db', DATABASE_URL: 'postgres://u@h/db' })).toEqual([])
  })

  test('the admin variables come as a pair', () => {
    expect(problems({ TRACKVAULT_ADMIN_EMAIL: 'boss@example.com' })).toEqual([
      'TRACKVAULT_ADMIN_PASSWORD: is missing; the first admin needs both TRACKVAULT_ADMIN_EMAIL and TRACKVAULT_ADMIN_PASSWORD',
    ])
    expect(problems({ TRACKVAULT_ADMIN_PASSWORD: 'a-long-secret' })[0]).toMatch(/^TRACKVAULT_ADMIN_EMAIL: is missing/)
  })

  test('every problem is reported at once, one line each', () => {
    expect(
      problems({ PORT: '', DATABASE_URL: 'pg://x', TRACKVAULT_TOKEN_TTL_HOURS: '0', TRACKVAULT_DEMO: 'yes' }).map(
        (l) => l.split(':')[0],
      ),
    ).toEqual(['PORT', 'DATABASE_URL', 'TRACKVAULT_DEMO', 'TRACKVAULT_TOKEN_TTL_HOURS'])
  })

  test('SMS: off by default; a provider needs its credentials; the base URL and the retries are checked', () => {
    const config = loadConfig(sqlite)
    expect(config.TRACKVAULT_SMS_PROVIDER).toBe('off')
    expect([config.TRACKVAULT_SMS_RETRY_BASE_MS, config.TRACKVAULT_SMS_MAX_ATTEMPTS]).toEqual([30_000, 10])
    expect(problems({ TRACKVAULT_SMS_PROVIDER: 'africastalking' })).toEqual([
      "TRACKVAULT_AFRICASTALKING_USERNAME: is missing; Africa's Talking needs the app's username (sandbox for its sandbox)",
      "TRACKVAULT_AFRICASTALKING_API_KEY: is missing; Africa's Talking needs the app's API key",
    ])
    const at = { TRACKVAULT_AFRICASTALKING_USERNAME: 'sandbox', TRACKVAULT_AFRICASTALKING_API_KEY: 'k' }
    expect(problems({ TRACKVAULT_SMS_PROVIDER: 'africastalking', ...at })).toEqual([])
    const tw = { TRACKVAULT_TWILIO_ACCOUNT_SID: 'AC1', TRACKVAULT_TWILIO_AUTH_TOKEN: 't' }
    expect(problems({ TRACKVAULT_SMS_PROVIDER: 'twilio', ...tw })).toEqual([
      'TRACKVAULT_SMS_FROM: is missing; Twilio sends from a number (TRACKVAULT_SMS_FROM) or a messaging service (TRACKVAULT_TWILIO_MESSAGING_SERVICE_SID)',
    ])
    expect(
      problems({ TRACKVAULT_SMS_PROVIDER: 'twilio', ...tw, TRACKVAULT_TWILIO_MESSAGING_SERVICE_SID: 'MG1' }),
    ).toEqual([])
    expect(problems({ TRACKVAULT_SMS_PROVIDER: 'twilio', ...tw, TRACKVAULT_SMS_FROM: '' })[0]).toBe(
      'TRACKVAULT_SMS_FROM: is empty: unset it or give a value',
    )
    expect(problems({ TRACKVAULT_SMS_PROVIDER: 'nexmo' })[0]).toMatch(/^TRACKVAULT_SMS_PROVIDER: /)
    expect(problems({ TRACKVAULT_SMS_BASE_URL: 'ftp://sms.example' })).toEqual([
      "TRACKVAULT_SMS_BASE_URL: 'ftp://sms.example' is not an http(s) URL without a query",
    ])
    expect(problems({ TRACKVAULT_SMS_BASE_URL: 'http://127.0.0.1:9000' })).toEqual([])
    expect(problems({ TRACKVAULT_SMS_RETRY_BASE_MS: '5000', TRACKVAULT_SMS_RETRY_MAX_MS: '1000' })).toEqual([
      'TRACKVAULT_SMS_RETRY_MAX_MS: 1000 is below TRACKVAULT_SMS_RETRY_BASE_MS (5000)',
    ])
    expect(problems({ TRACKVAULT_SMS_MAX_ATTEMPTS: '0' })).toEqual([
      'TRACKVAULT_SMS_MAX_ATTEMPTS: 0 is out of range (1-100)',
    ])
  })

  test('a database URL is shown with its password masked', () => {
    expect(maskDatabaseUrl('postgres://tv:hunter2@db:5432/tv')).toBe('postgres://tv:***@db:5432/tv')
    expect(maskDatabaseUrl('postgres://tv@db/tv')).toBe('postgres://tv@db/tv')
  })
})

describe('trackvault serve with a bad configuration', () => {
  test('exits 1 naming each problem, creates nothing and echoes no secret', async () => {
    const file = join(dir, 'serve', 'tv.db')
    const r = await runCli(['serve'], {
      TRACKVAULT_DB: file,
      DATABASE_URL: 'postgress://tv:hunter2-secret@127.0.0.1/tv',
      PORT: '',
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("DATABASE_URL: unknown scheme 'postgress'")
    expect(r.stderr).toContain('PORT: is empty')
    expect(r.all).not.toContain('hunter2-secret')
    expect(existsSync(file)).toBe(false)
  })
})
