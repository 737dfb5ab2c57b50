/**
 * The sign-in throttle (auth/login-throttle.ts) against a real server: it
 * slows guessers down per (account, address) and per address, counts
 * concurrent guesses before the hash runs, never locks the owner out from
 * another address, and believes X-Forwarded-For only from a configured proxy.
 * Client addresses are real: each "address" connects from its own loopback
 * address (127.0.0.0/8).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createUser } from '../src/auth/users'
import { loadConfig } from '../src/config'
import { type RawResponse, rawRequest } from './helpers/raw-http'
import { PASSWORD, startTestServer, type TestServer } from './helpers/test-server'

let n = 0
async function freshUser(s: TestServer, role: 'admin' | 'collector' = 'collector') {
  const email = `throttle${++n}-${role}@test.local`
  await createUser(s.db.handle.db, { name: `Throttled ${n}`, email, password: PASSWORD, role })
  return email
}

/** Signs in from `from` (a loopback address), optionally through a claimed X-Forwarded-For. */
function login(s: TestServer, from: string, email: string, password: string, forwardedFor?: string) {
  return rawRequest(s.url, {
    method: 'POST',
    path: '/api/auth/login',
    localAddress: from,
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ email, password }),
  })
}
const code = (res: RawResponse) => (res.json as { error?: { code: string } })?.error?.code

describe('default allowances', () => {
  let s: TestServer
  beforeAll(async () => {
    // The default allowances, with a first wait longer than 40 requests can take on a loaded machine
    // (the default second: a sixth guess answered after it had passed was evaluated, rightly).
    s = await startTestServer({ loginThrottle: { baseDelayMs: 60_000 } })
  })
  afterAll(() => s?.close())

  test('of 40 concurrent wrong guesses on one account from one address, 5 are evaluated; the rest get 429', async () => {
    const email = await freshUser(s, 'admin')
    const started = performance.now()
    const answers = await Promise.all(Array.from({ length: 40 }, () => login(s, '127.0.0.2', email, 'wrong-guess')))
    const took = performance.now() - started
    const evaluated = answers.filter((r) => r.status === 401)
    const refused = answers.filter((r) => r.status === 429)
    console.log(
      `40 concurrent guesses: ${evaluated.length} evaluated, ${refused.length} refused, ${took.toFixed(0)} ms`,
    )
    expect(evaluated.length).toBe(5)
    expect(refused.length).toBe(35)
    for (const r of refused) {
      expect(code(r)).toBe('RATE_LIMITED')
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    }
  })

  test('an admin whose password is guessed from elsewhere still signs in from their own address', async () => {
    const email = await freshUser(s, 'admin')
    for (let i = 0; i < 12; i++) expect([401, 429]).toContain((await login(s, '127.0.0.3', email, 'wrong')).status)
    expect((await login(s, '127.0.0.3', email, PASSWORD)).status).toBe(429)
    const owner = await login(s, '127.0.0.1', email, PASSWORD)
    expect(owner.status, owner.text).toBe(200)
  })

  test('a few failures on made-up emails do not slow down the other users behind that address', async () => {
    for (let i = 0; i < 8; i++) {
      expect((await login(s, '127.0.0.4', `made-up-${i}@nowhere.test`, 'whatever')).status).toBe(401)
    }
    const colleague = await freshUser(s)
    expect((await login(s, '127.0.0.4', colleague, PASSWORD)).status).toBe(200)
  })

  test('a disabled account answers like a wrong password whatever the password, in the same time', async () => {
    const email = await freshUser(s)
    await s.db.handle.db.updateTable('users').set({ is_active: 0 }).where('email', '=', email).execute()
    const right = await login(s, '127.0.0.5', email, PASSWORD)
    const wrong = await login(s, '127.0.0.5', email, 'not-the-password')
    expect(right.status).toBe(401)
    expect(right.json).toEqual(wrong.json)
    expect(right.json).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'Wrong email or password' } })
    // The hash runs either way: the right password takes as long as a wrong one (medians of a few tries,
    // from addresses of their own so the throttle does not step in).
    const time = async (password: string, from: string) => {
      const t0 = performance.now()
      expect((await login(s, from, email, password)).status).toBe(401)
      return performance.now() - t0
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    const rights: number[] = []
    const wrongs: number[] = []
    for (let i = 0; i < 4; i++) {
      rights.push(await time(PASSWORD, `127.0.1.${i + 1}`))
      wrongs.push(await time('not-the-password', `127.0.2.${i + 1}`))
    }
    console.log(
      `disabled account: right password ${median(rights).toFixed(1)} ms, wrong ${median(wrongs).toFixed(1)} ms`,
    )
    expect(median(rights)).toBeGreaterThan(median(wrongs) / 3)
    expect(median(rights)).toBeLessThan(median(wrongs) * 3)
  })
})

describe('small allowances (3 per account and address, 6 per address)', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({ loginThrottle: { freeAttempts: 3, addressFreeAttempts: 6, baseDelayMs: 60_000 } })
  })
  afterAll(() => s?.close())

  test("a guesser's own good sign-in does not reset the address count", async () => {
    const own = await freshUser(s)
    for (let i = 0; i < 5; i++) expect((await login(s, '127.0.3.1', `ghost${i}@x.test`, 'guess')).status).toBe(401)
    expect((await login(s, '127.0.3.1', own, PASSWORD)).status).toBe(200)
    // The sixth failure is evaluated and reaches the address allowance; after it, every account waits.
    expect((await login(s, '127.0.3.1', 'ghost5@x.test', 'guess')).status).toBe(401)
    const next = await login(s, '127.0.3.1', 'ghost6@x.test', 'guess')
    expect(next.status).toBe(429)
    expect(code(next)).toBe('RATE_LIMITED')
    const ownAgain = await login(s, '127.0.3.1', own, PASSWORD)
    expect(ownAgain.status).toBe(429)
    expect(ownAgain.json).not.toHaveProperty('token')
    // Another address is not affected.
    expect((await login(s, '127.0.3.2', own, PASSWORD)).status).toBe(200)
  })

  test('a success clears the (account, address) count only', async () => {
    const email = await freshUser(s)
    for (let i = 0; i < 2; i++) expect((await login(s, '127.0.4.1', email, 'typo')).status).toBe(401)
    expect((await login(s, '127.0.4.1', email, PASSWORD)).status).toBe(200)
    // Three fresh failures for the account (the address has 2 + 3 = 5 of 6 then).
    for (let i = 0; i < 3; i++) expect((await login(s, '127.0.4.1', email, 'typo')).status).toBe(401)
    expect((await login(s, '127.0.4.1', email, PASSWORD)).status).toBe(429)
  })

  test('without a trusted proxy, X-Forwarded-For is ignored: rotating it does not dodge the address count', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      statuses.push((await login(s, '127.0.5.1', `spray${i}@x.test`, 'guess', `203.0.113.${i + 1}`)).status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429])
  })
})

describe('behind a configured proxy', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer({
      trustProxy: ['127.0.0.1'],
      loginThrottle: { freeAttempts: 3, addressFreeAttempts: 6, baseDelayMs: 60_000 },
    })
  })
  afterAll(() => s?.close())

  test("each client behind the proxy is counted on its own address; the proxy's users are not all slowed", async () => {
    const email = await freshUser(s)
    for (let i = 0; i < 4; i++) await login(s, '127.0.0.1', email, 'guess', '198.51.100.7')
    expect((await login(s, '127.0.0.1', email, PASSWORD, '198.51.100.7')).status).toBe(429)
    // The owner, behind the same proxy from another address, signs in.
    expect((await login(s, '127.0.0.1', email, PASSWORD, '198.51.100.8')).status).toBe(200)
    // A spray from one client behind the proxy slows that client only.
    for (let i = 0; i < 8; i++) await login(s, '127.0.0.1', `spray${i}@x.test`, 'guess', '198.51.100.9')
    expect((await login(s, '127.0.0.1', email, PASSWORD, '198.51.100.9')).status).toBe(429)
    expect((await login(s, '127.0.0.1', email, PASSWORD, '198.51.100.10')).status).toBe(200)
  })

  test('a client that is not the proxy cannot claim an address', async () => {
    const email = await freshUser(s)
    const statuses: number[] = []
    for (let i = 0; i < 5; i++)
      statuses.push((await login(s, '127.0.6.1', email, 'guess', `198.51.100.${20 + i}`)).status)
    expect(statuses).toEqual([401, 401, 401, 429, 429])
  })
})

describe('TRACKVAULT_TRUST_PROXY', () => {
  const parse = (value?: string) => loadConfig(value === undefined ? {} : { TRACKVAULT_TRUST_PROXY: value })
  test('unset or 0 trusts no proxy; a number is a hop count; else addresses and CIDR ranges', () => {
    expect(parse().TRACKVAULT_TRUST_PROXY).toBe(false)
    expect(parse('0').TRACKVAULT_TRUST_PROXY).toBe(false)
    expect(parse('2').TRACKVAULT_TRUST_PROXY).toBe(2)
    expect(parse(' 10.0.0.0/8, 127.0.0.1,fd00::/8 ,loopback').TRACKVAULT_TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      'fd00::/8',
      'loopback',
    ])
  })
  test('anything else is refused at start with the bad entry named', () => {
    for (const bad of ['true', '10.0.0.0/33', '10.0.0.1,proxy.local', '::1/129', '1.2.3.4/8/1']) {
      expect(() => parse(bad), bad).toThrow(/TRACKVAULT_TRUST_PROXY/)
    }
  })
})
