/**
 * A real TrackVault server on loopback for one test file, with one signed-in
 * user per role, and a tiny fetch-based client.
 */
import type { Role } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'
import { type AppOptions, buildApp } from '../../src/app'
import { createTestDb, type TestDb } from '../../src/testing/test-db'
import { createUser } from '../../src/testing/users'

export const PASSWORD = 'correct-horse-battery'

export interface Reply<T = any> {
  status: number
  body: T
  headers: Headers
}

/** A client bound to one token (or none). */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, body: parsed as T, headers: res.headers } satisfies Reply<T>
  }

  get = <T = any>(path: string) => this.request<T>('GET', path)
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {})
  put = <T = any>(path: string, body: unknown) => this.request<T>('PUT', path, body)
  patch = <T = any>(path: string, body: unknown) => this.request<T>('PATCH', path, body)
  del = <T = any>(path: string) => this.request<T>('DELETE', path)
}

export interface TestServer {
  url: string
  app: FastifyInstance
  db: TestDb
  users: Record<Role, { id: string; email: string }>
  /** A signed-in client per role. */
  as: Record<Role, Api>
  anon: Api
  login(email: string, password?: string, deviceId?: string): Promise<Api>
  close(): Promise<void>
}

export async function startTestServer(opts: Partial<AppOptions> = {}): Promise<TestServer> {
  const db = await createTestDb()
  const app = await buildApp({ db: db.handle, ...opts })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const anon = new Api(url)
  const users = {} as TestServer['users']
  const as = {} as TestServer['as']
  const login = async (email: string, password = PASSWORD, deviceId?: string) => {
    const res = await anon.post('/api/auth/login', { email, password, device_id: deviceId })
    if (res.status !== 200) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`)
    return new Api(url, res.body.token)
  }
  for (const role of ['admin', 'manager', 'finance', 'collector'] as Role[]) {
    const email = `${role}@test.local`
    const user = await createUser(db.handle.db, { name: `Test ${role}`, email, password: PASSWORD, role })
    users[role] = { id: user.id, email }
    as[role] = await login(email, PASSWORD, `device-${role}`)
  }
  return {
    url,
    app,
    db,
    users,
    as,
    anon,
    login,
    close: async () => {
      await app.close()
      await db.drop()
    },
  }
}

/** Creates a product with an open rate from 2020 and a supplier; returns their ids. */
export async function seedBasics(api: Api, rate = '120.00') {
  const product = await api.post('/api/products', {
    code: `P${Math.random().toString(36).slice(2, 8)}`,
    name: 'Tea',
    default_unit: 'kg',
  })
  if (product.status !== 201) throw new Error(JSON.stringify(product.body))
  const r = await api.post('/api/product-rates', {
    product_id: product.body.id,
    unit: 'kg',
    rate,
    effective_date: '2020-01-01',
  })
  if (r.status !== 201) throw new Error(JSON.stringify(r.body))
  const supplier = await api.post('/api/suppliers', {
    code: `S${Math.random().toString(36).slice(2, 8)}`,
    name: 'Kamau',
  })
  if (supplier.status !== 201) throw new Error(JSON.stringify(supplier.body))
  const route = await api.post('/api/routes', { code: `R${Math.random().toString(36).slice(2, 8)}`, name: 'Ridge' })
  if (route.status !== 201) throw new Error(JSON.stringify(route.body))
  return {
    productId: product.body.id as string,
    rateId: r.body.id as string,
    supplierId: supplier.body.id as string,
    routeId: route.body.id as string,
  }
}
