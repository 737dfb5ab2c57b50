/**
 * The endpoints to fuzz, read from the running app: Fastify's route tree
 * merged with the OpenAPI document (parameters, body schemas), so a new route
 * is fuzzed without touching the fuzzer. Plus what the fuzzer knows of the
 * entity routes (their paths and tables) and of body limits.
 */
import type { EntityType } from '@trackvault/core'
import { DEFAULTS } from '../../src/app'
import { RESULTS_BODY_LIMIT } from '../../src/routes/payout-routes'
import type { ENTITY_TABLES } from '../helpers/db-snapshot'
import type { TestServer } from '../helpers/test-server'

const SYNC_BODY_LIMIT = 4 * 1024 * 1024

/** The entity routes by their collection path, and each entity's table. */
export const ENTITY_PATHS: Record<string, EntityType> = {
  '/api/suppliers': 'supplier',
  '/api/products': 'product',
  '/api/product-rates': 'product_rate',
  '/api/collections': 'collection',
  '/api/payments': 'payment',
  '/api/deductions': 'deduction',
  '/api/settlement-runs': 'settlement_run',
  '/api/settlement-lines': 'settlement_line',
  '/api/routes': 'route',
  '/api/route-assignments': 'route_assignment',
}
export const TABLE_OF: Record<EntityType, (typeof ENTITY_TABLES)[number]> = {
  supplier: 'suppliers',
  product: 'products',
  product_rate: 'product_rates',
  collection: 'collections',
  payment: 'payments',
  deduction: 'deductions',
  settlement_run: 'settlement_runs',
  settlement_line: 'settlement_lines',
  route: 'routes',
  route_assignment: 'route_assignments',
}
export const PATH_OF = Object.fromEntries(Object.entries(ENTITY_PATHS).map(([p, t]) => [t, p])) as Record<
  EntityType,
  string
>

export interface JsonSchema {
  type?: string
  enum?: unknown[]
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  nullable?: boolean
  anyOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  items?: JsonSchema
  maxItems?: number
  additionalProperties?: unknown
}

export interface Param {
  name: string
  in: 'path' | 'query'
  schema: JsonSchema
}

export interface Endpoint {
  method: string
  /** OpenAPI style, `{id}` for parameters, `*` for a wildcard. */
  path: string
  params: Param[]
  body?: JsonSchema
  documented: boolean
}

export const key = (e: { method: string; path: string }) => `${e.method} ${e.path}`
const normalise = (p: string) => (p.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/') as string

/** Routes of Fastify's printRoutes() tree: `(method, path)` for every node that has methods. */
export function routesFromTree(tree: string): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = []
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!m) continue
    const depth = m[1].length / 4
    stack[depth] = (depth > 0 ? stack[depth - 1] : '') + m[2]
    stack.length = depth + 1
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) out.push({ method, path: normalise(stack[depth]) })
  }
  return out
}

/** Every route of the app, documented (OpenAPI) or not (health, metrics, docs), sorted by key. */
export async function enumerateEndpoints(s: TestServer): Promise<{ endpoints: Endpoint[]; documented: number }> {
  const doc = (await s.anon.get('/api/openapi.json')).body as {
    paths: Record<
      string,
      Record<string, { parameters?: Param[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>
    >
  }
  const byKey = new Map<string, Endpoint>()
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(ops)) {
      const e: Endpoint = {
        method: m.toUpperCase(),
        path: normalise(p),
        params: op.parameters ?? [],
        body: op.requestBody?.content['application/json']?.schema,
        documented: true,
      }
      byKey.set(key(e), e)
    }
  }
  const documented = byKey.size
  const tree = routesFromTree(s.app.printRoutes({ commonPrefix: false }))
  const inTree = new Set(tree.map(key))
  for (const e of byKey.values()) {
    if (!inTree.has(key(e))) throw new Error(`OpenAPI lists ${key(e)}, but the app has no such route`)
  }
  for (const r of tree) {
    // HEAD is Fastify's automatic twin of GET: same handler, no body.
    if (r.method === 'HEAD' || byKey.has(key(r))) continue
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path' as const,
      schema: { type: 'string' },
    }))
    byKey.set(key(r), { method: r.method, path: r.path, params, documented: false })
  }
  return { endpoints: [...byKey.values()].sort((a, b) => key(a).localeCompare(key(b))), documented }
}

/** The route's body limit: larger for a push (a batch of operations) and a payout results file. */
export function bodyLimitOf(e: Endpoint) {
  if (e.method === 'POST' && e.path === '/api/sync') return SYNC_BODY_LIMIT
  if (e.method === 'POST' && e.path.endsWith('/payout-results')) return RESULTS_BODY_LIMIT
  return DEFAULTS.bodyLimit
}
