import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createUser } from '../src/auth/users'
import { Api, PASSWORD, startTestServer, type TestServer } from './helpers/test-server'

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

let s: TestServer
let n = 0
/** A fresh active user of the given role; returns its email. */
async function freshUser(server: TestServer, role: 'collector' | 'manager' = 'collector', isActive = true) {
  const email = `user${++n}-${role}@auth.test`
  const user = await createUser(server.db.handle.db, {
    name: `User ${n}`,
    email,
    password: PASSWORD,
    role,
    is_active: isActive,
  })
  return { id: user.id, email }
}

beforeAll(async () => {
  s = await startTestServer()
})
afterAll(() => s?.close())

describe('login', () => {
  test('returns a token, its expiry and the user (never the password hash)', async () => {
    const before = Date.now()
    const res = await s.anon.post('/api/auth/login', { email: s.users.manager.email, password: PASSWORD })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(typeof res.body.token).toBe('string')
    const expires = Date.parse(res.body.expires_at)
    expect(expires).toBeGreaterThan(before + 24 * 3600 * 1000)
    expect(res.body.user).toMatchObject({ id: s.users.manager.id, email: s.users.manager.email, role: 'manager' })
    expect(res.body.user.is_active).toBe(true)
    expect(JSON.stringify(res.body)).not.toMatch(/password|scrypt/)
  })

  test('the email is matched case-insensitively', async () => {
    const res = await s.anon.post('/api/auth/login', { email: '  Finance@Test.Local ', password: PASSWORD })
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(s.users.finance.id)
  })

  test('the token has at least 128 random bits and only its SHA-256 hash is stored', async () => {
    const a = await s.anon.post('/api/auth/login', { email: s.users.admin.email, password: PASSWORD })
    const b = await s.anon.post('/api/auth/login', { email: s.users.admin.email, password: PASSWORD })
    const token: string = a.body.token
    expect(token).not.toBe(b.body.token)
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16)
    const rows = await s.db.handle.db.selectFrom('auth_tokens').selectAll().execute()
    const stored = rows.find((r) => r.token_hash === sha256(token))
    expect(stored?.user_id).toBe(s.users.admin.id)
    expect(JSON.stringify(rows)).not.toContain(token)
  })

  test('wrong password and unknown email are both 401 INVALID_CREDENTIALS', async () => {
    const wrong = await s.anon.post('/api/auth/login', { email: s.users.admin.email, password: 'nope-nope-nope' })
    const unknown = await s.anon.post('/api/auth/login', { email: 'ghost@auth.test', password: PASSWORD })
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('INVALID_CREDENTIALS')
      expect(res.body).not.toHaveProperty('token')
    }
    // A success clears the throttle record for the next tests.
    await s.login(s.users.admin.email)
  })

  test('an inactive user cannot log in', async () => {
    const u = await freshUser(s, 'collector', false)
    const res = await s.anon.post('/api/auth/login', { email: u.email, password: PASSWORD })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('INVALID_CREDENTIALS')
  })

  test('a missing password is 422 with the field named', async () => {
    const res = await s.anon.post('/api/auth/login', { email: s.users.admin.email })
    expect(res.status).toBe(422)
    expect(res.body.error.details.fields).toHaveProperty('password')
  })

  test('passwords are stored as salted scrypt hashes, never in plain text', async () => {
    const rows = await s.db.handle.db.selectFrom('users').select(['email', 'password_hash']).execute()
    expect(rows.length).toBeGreaterThanOrEqual(4)
    for (const r of rows) {
      expect(r.password_hash.startsWith('scrypt$')).toBe(true)
      expect(r.password_hash).not.toContain(PASSWORD)
    }
    const hashes = rows.map((r) => r.password_hash)
    expect(new Set(hashes).size).toBe(hashes.length) // same password, different salts
  })
})

describe('sessions', () => {
  test('/api/auth/me returns the signed-in user and the device of the token', async () => {
    const res = await s.as.collector.get('/api/auth/me')
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ id: s.users.collector.id, role: 'collector' })
    expect(res.body.device_id).toBe('device-collector')
  })

  test('no token, a malformed header and a forged token are 401 UNAUTHENTICATED', async () => {
    const forged = new Api(s.url, Buffer.alloc(32, 7).toString('base64url'))
    const results = [
      await s.anon.get('/api/auth/me'),
      await forged.get('/api/auth/me'),
      await s.anon.request('GET', '/api/auth/me', undefined, { authorization: 'Basic abc' }),
      await forged.get('/api/suppliers'),
    ]
    for (const res of results) {
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('UNAUTHENTICATED')
    }
  })

  test('the stored hash itself is not a valid token', async () => {
    const api = await s.login(s.users.finance.email)
    const asHash = new Api(s.url, sha256(api.token as string))
    expect((await asHash.get('/api/auth/me')).status).toBe(401)
    expect((await api.get('/api/auth/me')).status).toBe(200)
  })

  test('logout revokes the token only', async () => {
    const first = await s.login(s.users.manager.email)
    const second = await s.login(s.users.manager.email)
    const out = await first.post('/api/auth/logout')
    expect(out.status).toBe(204)
    const after = await first.get('/api/auth/me')
    expect(after.status).toBe(401)
    expect(after.body.error.code).toBe('UNAUTHENTICATED')
    expect((await first.post('/api/auth/logout')).status).toBe(401)
    expect((await second.get('/api/auth/me')).status).toBe(200)
    const row = await s.db.handle.db
      .selectFrom('auth_tokens')
      .select('revoked_at')
      .where('token_hash', '=', sha256(first.token as string))
      .executeTakeFirstOrThrow()
    expect(row.revoked_at).not.toBeNull()
  })

  test('an expired token is 401', async () => {
    const api = await s.login(s.users.finance.email)
    expect((await api.get('/api/auth/me')).status).toBe(200)
    await s.db.handle.db
      .updateTable('auth_tokens')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', sha256(api.token as string))
      .execute()
    const res = await api.get('/api/auth/me')
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
  })

  test('deactivating a user revokes all their tokens', async () => {
    const u = await freshUser(s)
    const phone = await s.login(u.email, PASSWORD, 'phone')
    const tablet = await s.login(u.email, PASSWORD, 'tablet')
    expect((await phone.get('/api/suppliers')).status).toBe(200)
    const res = await s.as.admin.patch(`/api/users/${u.id}`, { is_active: false })
    expect(res.status).toBe(200)
    for (const api of [phone, tablet]) expect((await api.get('/api/auth/me')).status).toBe(401)
    const live = await s.db.handle.db
      .selectFrom('auth_tokens')
      .select('token_hash')
      .where('user_id', '=', u.id)
      .where('revoked_at', 'is', null)
      .execute()
    expect(live).toEqual([])
    // Reactivation does not bring old tokens back.
    await s.as.admin.patch(`/api/users/${u.id}`, { is_active: true })
    expect((await phone.get('/api/auth/me')).status).toBe(401)
    expect((await s.login(u.email)).token).toBeTruthy()
  })

  test('a user deactivated directly in the database is refused at once', async () => {
    const u = await freshUser(s)
    const api = await s.login(u.email)
    await s.db.handle.db.updateTable('users').set({ is_active: 0 }).where('id', '=', u.id).execute()
    expect((await api.get('/api/auth/me')).status).toBe(401)
  })
})

describe('login throttle', () => {
  let t: TestServer
  beforeAll(async () => {
    t = await startTestServer({ loginThrottle: { freeAttempts: 3, baseDelayMs: 60_000 } })
  })
  afterAll(() => t?.close())

  test('repeated failures get 429 RATE_LIMITED with Retry-After, even with the right password', async () => {
    const attempt = (password: string) => t.anon.post('/api/auth/login', { email: t.users.collector.email, password })
    for (let i = 0; i < 3; i++) expect((await attempt('wrong-password')).status).toBe(401)
    const blocked = await attempt('wrong-password')
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.code).toBe('RATE_LIMITED')
    const retryAfter = Number(blocked.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    const right = await attempt(PASSWORD)
    expect(right.status).toBe(429)
    expect(right.body).not.toHaveProperty('token')
    // Existing sessions are not affected.
    expect((await t.as.collector.get('/api/auth/me')).status).toBe(200)
  })
})
