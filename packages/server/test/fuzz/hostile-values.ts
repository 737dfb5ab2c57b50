/**
 * The hostile values the fuzzer breaks requests with: injection strings, bad
 * decimals, dates and ids, keys a client must never set, malformed JSON and
 * foreign content types, and raw JSON text for nesting that JSON.stringify
 * cannot produce.
 */
import fc from 'fast-check'

export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE suppliers; --",
  '1; DELETE FROM users; --',
  '" OR ""="',
  "' UNION SELECT password_hash, email FROM users --",
  "%' OR 1=1 --",
  "admin'--",
  "1' AND pg_sleep(5)--",
  "'); SELECT sqlite_version(); --",
  "\\'; --",
  '$1',
  '?',
  '%',
  '_',
  '\\',
  '%_%\\%',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  '${7*7}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '\u0000',
  'a\u0000b',
  '\u202egnp.exe',
  '😀',
  '\uD800',
  '\uDFFF\uD800',
  '\r\nSet-Cookie: x=1',
  'NULL',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
]
export const BAD_DECIMALS: unknown[] = [
  '1e5',
  '0x10',
  'NaN',
  'Infinity',
  '-Infinity',
  '12.345',
  '1.2345',
  '1.',
  '.5',
  '+5',
  '-5',
  '0',
  '-0',
  '0.00',
  '1,5',
  '1 000',
  '١٢٣',
  '1_000',
  '99999999999999999999',
  '1000000000.01',
  '',
  '  ',
  '12.3.4',
  '--1',
  'twelve',
  1e21,
  12.345,
  -1,
  0,
  Number.MAX_SAFE_INTEGER,
  5e-324,
]
export const BAD_DATES: unknown[] = [
  '2026-02-30',
  '2025-02-29',
  '2026-13-01',
  '2026-00-10',
  '2026-01-32',
  '2026-1-1',
  '26-01-01',
  '2026/01/01',
  '2026-01-01T00:00:00Z',
  '20260101',
  ' 2026-01-01',
  '2026-01-01 ',
  '+2026-01-01',
  '-2026-01-01',
  '2026-W01',
  'today',
  '',
  20_260_101,
]
export const BAD_IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-00000000000g',
  '00000000000000000000000000000000',
  '{00000000-0000-4000-8000-000000000000}',
  '00000000-0000-4000-8000-000000000000 ',
  "00000000-0000-4000-8000-000000000000' OR '1'='1",
  '1',
  '-1',
  '0',
  'null',
  '..',
  '%2e%2e',
]
/** Keys a client must never be able to set, plus prototype-pollution keys. */
export const SERVER_OWNED = [
  'id',
  'version',
  'created_at',
  'updated_at',
  'deleted_at',
  'created_by',
  'updated_by',
  'device_id',
  'sync_metadata',
  'rate_applied',
  'total_amount',
  'product_rate_id',
  'user_id',
  'password_hash',
  'role',
  'is_active',
]
export const WEIRD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  '',
  ' ',
  'a'.repeat(300),
  "'; DROP TABLE users; --",
  '$where',
]

/** Marks a value whose JSON text is spliced in raw (deep nesting that JSON.stringify cannot produce). */
const RAW = Symbol('raw-json')
type RawJson = { [RAW]: string }
const rawJson = (text: string): RawJson => ({ [RAW]: text })
export const isRaw = (v: unknown): v is RawJson => typeof v === 'object' && v !== null && RAW in v

export function deep(depth: number, kind: 'array' | 'object'): RawJson {
  return rawJson(
    kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  )
}

/** JSON text of a value that may contain raw splices and own `__proto__` keys. */
export function toJsonText(value: unknown): string {
  const splices: string[] = []
  const text = JSON.stringify(value, (_key, v) => {
    if (isRaw(v)) {
      splices.push(v[RAW])
      return `@@RAW_${splices.length - 1}@@`
    }
    return v
  })
  return (text ?? 'null').replace(/"@@RAW_(\d+)@@"/g, (_m, i) => splices[Number(i)])
}

/** Percent-encoding that also sends lone surrogates (as the invalid UTF-8 a broken client would send). */
export function enc(v: string): string {
  try {
    return encodeURIComponent(v)
  } catch {
    return v
      .replace(/[\uD800-\uDFFF]/g, '\u0001')
      .split('\u0001')
      .map(encodeURIComponent)
      .join('%ED%A0%80')
  }
}

/** Sets an own property (also `__proto__`, which plain assignment would treat as the prototype). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
}

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...BAD_DECIMALS) },
  { weight: 3, arbitrary: fc.constantFrom(...BAD_DATES) },
  { weight: 2, arbitrary: fc.constantFrom(...BAD_IDS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53, 1e308, [], {}, [1, 'a'], {
      a: { b: {} },
    }),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(2_000, 70_000).map((n) => 'x'.repeat(n)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(60, 5_000, 100_000), fc.constantFrom<'array' | 'object'>('array', 'object'))
      .map(([d, k]) => deep(k === 'object' ? Math.min(d, 20_000) : d, k)),
  },
)

export const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  'nul',
  '[1,2',
  '{"a":1}}',
  '\u0000',
  '{"a":"\\x"}',
  '{"a":01}',
  'NaN',
  '{"a":NaN}',
  '{"a":undefined}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '',
  ' ',
  '\uFEFF{}',
  '{"a":"\uD800"}',
  '{"a":1} {"b":2}',
  '// comment\n{}',
]
export const OTHER_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json-patch+json',
  '*/*',
  'application/octet-stream',
]
