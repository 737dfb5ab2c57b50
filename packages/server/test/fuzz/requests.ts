/**
 * Requests: the fast-check arbitrary of a request to one endpoint (caller,
 * credentials, path values, query, body: mostly well-formed, then broken),
 * and the Materialiser, which turns one into the bytes sent on the wire.
 */
import { ENTITY_TYPES, type Role } from '@trackvault/core'
import fc from 'fast-check'
import { hashToken, issueTicket, issueToken } from '../../src/auth/tokens'
import type { RawRequest } from '../helpers/raw-http'
import type { TestServer } from '../helpers/test-server'
import {
  CURRENT_VERSION,
  DEVICE,
  fromSchema,
  mutated,
  NEXT_SEQ,
  objectFromSchema,
  type Pools,
  TICKET,
  TICKET_AUTH,
  validValue,
} from './arbitraries'
import { bodyLimitOf, ENTITY_PATHS, type Endpoint, type Param, TABLE_OF } from './endpoints'
import {
  BAD_IDS,
  deep,
  enc,
  hostileValue,
  INJECTIONS,
  isRaw,
  MALFORMED_JSON,
  OTHER_CONTENT_TYPES,
  setOwn,
  toJsonText,
} from './hostile-values'

/** A generated request: who sends it and what, with placeholders still in it. */
export interface FuzzRequest {
  caller: Role | 'anon'
  /** Token bound to the caller's device, or to none (bound by the first push). */
  bound: boolean
  auth?: string
  pathValues: Record<string, string>
  wildcard?: string
  query: Array<[string, string]>
  body:
    | { kind: 'none' }
    | { kind: 'json'; value: unknown; contentType: string; chunked: boolean }
    | { kind: 'text'; text: string; contentType?: string }
}

function bodyArb(e: Endpoint, pools: Pools): fc.Arbitrary<FuzzRequest['body']> {
  // A GET carries no body (fetch cannot even send one); its input is the path and the query.
  if (e.method === 'GET') return fc.constant({ kind: 'none' as const })
  const structured: fc.Arbitrary<unknown> = e.body
    ? e.body.type === 'object' || e.body.anyOf
      ? e.body.anyOf
        ? fc.oneof(...e.body.anyOf.map((s) => mutated(objectFromSchema(s, pools))))
        : mutated(objectFromSchema(e.body, pools, ENTITY_PATHS[e.path]))
      : fromSchema(e.body, pools)
    : fc.oneof(fc.constant({}), mutated(fc.constant({})))
  const json = (value: fc.Arbitrary<unknown>, contentType = 'application/json') =>
    fc.record({
      kind: fc.constant('json' as const),
      value,
      contentType: fc.constant(contentType),
      chunked: fc.boolean(),
    })
  const limit = bodyLimitOf(e)
  const options: Array<fc.WeightedArbitrary<FuzzRequest['body']>> = [
    { weight: 20, arbitrary: json(structured) },
    { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom(...MALFORMED_JSON), fc.string({ unit: 'binary', maxLength: 40 }))
        .map((text) => ({ kind: 'text' as const, text, contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(structured, fc.constantFrom(...OTHER_CONTENT_TYPES))
        .map(([v, ct]) => ({ kind: 'text' as const, text: toJsonText(v), contentType: ct })),
    },
    { weight: 1, arbitrary: json(fc.constantFrom<unknown>(null, 0, 'str', [], true, [{}], -1)) },
    {
      weight: 1,
      arbitrary: json(
        fc.constantFrom<unknown>(
          deep(100_000, 'array'),
          deep(20_000, 'object'),
          deep(200, 'object'),
          deep(33, 'array'),
        ),
      ),
    },
    // One string field just under and just over the route's body limit.
    {
      weight: 1,
      arbitrary: fc
        .tuple(structured, fc.constantFrom(-512, 64))
        .map(([v, delta]) => {
          const obj = typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as object) } : {}
          const size = toJsonText(obj).length
          return { ...obj, name: 'x'.repeat(Math.max(0, limit - size - 20 + delta)) }
        })
        .map((value) => ({ kind: 'json' as const, value, contentType: 'application/json', chunked: false })),
    },
  ]
  return fc.oneof(...options)
}

function pathValueArb(e: Endpoint, p: Param, pools: Pools): fc.Arbitrary<string> {
  const prefix = e.path.split('/{')[0]
  const hostile = fc.oneof(fc.constantFrom(...BAD_IDS), fc.constantFrom(...INJECTIONS)).map(enc)
  const raw = fc.constantFrom(
    '%ZZ',
    '%',
    '..%2F..%2Fusers',
    '%00',
    '..',
    '.',
    '%2e%2e%2fhealth',
    'a%2Fb',
    'a'.repeat(300),
  )
  let valid: fc.Arbitrary<string>
  if (p.name === 'entity_type') valid = fc.constantFrom(...ENTITY_TYPES)
  else if (prefix === '/api/users') valid = fc.oneof(fc.uuid(), fc.constantFrom(...pools.victimUsers))
  else if (ENTITY_PATHS[prefix]) {
    const type = ENTITY_PATHS[prefix]
    const reads = e.method === 'GET' ? [...(type === 'supplier' ? pools.supplier : []), ...pools.victims[type]] : []
    valid = fc.oneof(
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 3, arbitrary: fc.constantFrom(...pools.victims[type], ...reads) },
    )
  } else valid = fc.oneof(fc.uuid(), fc.constantFrom(...Object.values(pools.victims).flat()))
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 2, arbitrary: hostile }, { weight: 1, arbitrary: raw })
}

function queryArb(e: Endpoint, pools: Pools): fc.Arbitrary<Array<[string, string]>> {
  const params = e.params.filter((p) => p.in === 'query')
  const one = (p: Param) =>
    fc.oneof(
      { weight: 5, arbitrary: validValue(p.name, p.schema, pools).map((v) => [String(v)]) },
      { weight: 2, arbitrary: hostileValue.map((v) => [typeof v === 'string' ? v : toJsonText(v)]) },
      { weight: 1, arbitrary: fc.tuple(validValue(p.name, p.schema, pools), hostileValue).map((vs) => vs.map(String)) },
      { weight: 1, arbitrary: fc.constant(['']) },
    )
  const known = params.map((p) =>
    fc.option(
      // Capped below Node's 16 KiB header limit: longer URLs never reach the app (see RELIABILITY.md).
      one(p).map((vs) => vs.map((v) => [p.name, v.slice(0, 3000)] as [string, string])),
      { freq: (p as { required?: boolean }).required ? 12 : 2 },
    ),
  )
  const unknown = fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as Array<[string, string]>) },
    fc.array(
      fc.tuple(
        fc.constantFrom('__proto__', 'constructor', 'x', 'page[]', 'user_id[$ne]', 'toString'),
        fc.constantFrom(...INJECTIONS),
      ),
      { minLength: 1, maxLength: 2 },
    ),
  )
  return fc
    .tuple(fc.tuple(...known), unknown)
    .map(([ks, us]) => [...ks.flatMap((k) => k ?? []), ...us] as Array<[string, string]>)
}

/** Requests to one endpoint: any caller, hostile auth, path values, query and body. */
export function requestArb(e: Endpoint, pools: Pools): fc.Arbitrary<FuzzRequest> {
  const pathParams = e.params.filter((p) => p.in === 'path')
  const pathValues = fc
    .tuple(...pathParams.map((p) => pathValueArb(e, p, pools)))
    .map((vs) => Object.fromEntries(pathParams.map((p, i) => [p.name, vs[i]])))
  return fc.record({
    caller: fc.constantFrom<Role | 'anon'>(
      'admin',
      'admin',
      'admin',
      'manager',
      'finance',
      'collector',
      'collector',
      'anon',
    ),
    bound: fc.boolean(),
    auth: fc.oneof(
      { weight: 12, arbitrary: fc.constant(undefined) },
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic YWRtaW46YWRtaW4=',
        'Bearer null',
        "Bearer ' OR '1'='1",
        `Bearer ${'a'.repeat(4000)}`,
        'bearer x y',
        'Token abc',
        ...TICKET_AUTH,
      ),
    ),
    pathValues,
    wildcard: e.path.includes('*')
      ? fc.constantFrom(
          '../../../../etc/passwd',
          '..%2f..%2f..%2fpackage.json',
          'static/../../../../package.json',
          '%2e%2e/%2e%2e/src/app.ts',
          '%00',
          'index.html',
          'static/index.html',
          'json',
          `${'a/'.repeat(200)}x`,
        )
      : fc.constant(undefined),
    query: queryArb(e, pools),
    body: bodyArb(e, pools),
  }) as fc.Arbitrary<FuzzRequest>
}

/**
 * Sends generated requests to one server: issues the caller's token and
 * resolves the placeholders the generator left (./arbitraries.ts).
 */
export class Materialiser {
  // Above any seq a hostile value can set (2^31), so a hostile seq never blocks a device for later runs.
  private seq = 2 ** 33
  private devices = 0

  constructor(private readonly s: TestServer) {}

  /** A seq after every one sent so far. */
  nextSeq(): number {
    return ++this.seq
  }

  /** Resolves placeholders and builds the wire request. */
  async materialise(e: Endpoint, r: FuzzRequest): Promise<{ wire: RawRequest; token?: { device: string | null } }> {
    const headers: Record<string, string> = {}
    let token: { device: string | null } | undefined
    if (r.auth?.includes(TICKET)) {
      const minter = this.s.users[r.caller === 'anon' ? 'admin' : r.caller].id
      const session = await issueToken(this.s.db.handle.db, minter, null, 3_600_000)
      const { ticket } = await issueTicket(this.s.db.handle.db, {
        id: minter,
        name: 'fuzz',
        role: r.caller === 'anon' ? 'admin' : r.caller,
        deviceId: null,
        tokenHash: hashToken(session.token),
      })
      headers.authorization = r.auth.replace(TICKET, ticket)
    } else if (r.caller !== 'anon') {
      const device = r.bound ? `device-${r.caller}` : null
      const issued = await issueToken(this.s.db.handle.db, this.s.users[r.caller].id, device, 3_600_000)
      headers.authorization = r.auth ?? `Bearer ${issued.token}`
      token = r.auth ? undefined : { device }
    } else if (r.auth) headers.authorization = r.auth
    const device = token?.device ?? `fuzz-device-${++this.devices}`
    let path = e.path.replace(/\{(\w+)\}/g, (_m, name: string) => r.pathValues[name] ?? 'x')
    if (r.wildcard !== undefined) path = path.replace('*', r.wildcard)
    const type = ENTITY_PATHS[e.path.split('/{')[0]]
    const targetId = r.pathValues.id
    const resolve = async (v: unknown, entity?: { type?: unknown; id?: unknown }): Promise<unknown> => {
      if (v === CURRENT_VERSION) return this.currentVersion(entity?.type ?? type, entity?.id ?? targetId)
      if (v === NEXT_SEQ) return this.nextSeq()
      if (v === DEVICE) return device
      if (Array.isArray(v)) {
        const out = []
        for (const x of v) out.push(await resolve(x, entity))
        return out
      }
      if (typeof v === 'object' && v !== null && !isRaw(v)) {
        const obj = v as Record<string, unknown>
        const scope =
          'entity_type' in obj || 'entity' in obj
            ? { type: obj.entity_type ?? obj.entity, id: obj.entity_id ?? (obj.data as { id?: unknown })?.id }
            : entity
        const out: Record<string, unknown> = {}
        for (const k of Object.keys(obj)) setOwn(out, k, await resolve(obj[k], scope))
        return out
      }
      return v
    }
    const query = []
    for (const [k, v] of r.query) query.push([k, String(await resolve(v))])
    const qs = query.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')
    const wire: RawRequest = { method: e.method, path: qs ? `${path}?${qs}` : path, headers }
    if (r.body.kind === 'json') {
      wire.body = toJsonText(await resolve(r.body.value))
      headers['content-type'] = r.body.contentType
      wire.chunked = r.body.chunked
    } else if (r.body.kind === 'text') {
      wire.body = r.body.text
      if (r.body.contentType) headers['content-type'] = r.body.contentType
    }
    return { wire, token }
  }

  /** The version a row has now (1 for an unknown type or row): what a well-behaved client would send. */
  async currentVersion(type: unknown, id: unknown): Promise<number> {
    const own = <T>(map: Record<string, T>, k: unknown) =>
      typeof k === 'string' && Object.hasOwn(map, k) ? map[k] : undefined
    const table = own(TABLE_OF, type) ?? own(TABLE_OF, own(ENTITY_PATHS, `/api/${String(type)}`))
    if (!table || typeof id !== 'string') return 1
    const row = await this.s.db.handle.db
      .selectFrom(table)
      .select('version')
      .where('id', '=', id)
      .executeTakeFirst()
      .catch(() => undefined)
    return row ? Number(row.version) : 1
  }
}
