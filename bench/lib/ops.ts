/**
 * The operation mix of the push workloads and a raw-HTTP device that sends
 * it. Of every 20 operations: 8 collection creates, 4 payment creates, 5
 * collection updates (quantity, so the server re-prices) and 3 payment
 * updates (amount), each update on a row this device made earlier and
 * carrying the version the server returned. A batch never holds two
 * operations on one row (as the client's batches never do). A collection
 * create carries its receipt number, `<prefix>-<n>` with a prefix of the
 * stream's own, as TrackVault's devices print and send them.
 */
import { newId } from '@trackvault/core'
import type { PushOperation } from '@trackvault/server/testing'
import type { Fixtures } from './env'

type Kind = 'collection' | 'payment'
const SLOTS: Array<[Kind, 'create' | 'update']> = [
  ...Array.from({ length: 8 }, () => ['collection', 'create'] as [Kind, 'create']),
  ...Array.from({ length: 4 }, () => ['payment', 'create'] as [Kind, 'create']),
  ...Array.from({ length: 5 }, () => ['collection', 'update'] as [Kind, 'update']),
  ...Array.from({ length: 3 }, () => ['payment', 'update'] as [Kind, 'update']),
]

export const COLLECTION_DATE = '2025-06-01'

let streams = 0
/** The `n`th stream's receipt prefix: A, B, ..., Z, BA, BB, ... (1 to 4 capital letters, unique per process). */
function receiptPrefixOf(n: number): string {
  let prefix = ''
  do {
    prefix = String.fromCharCode(65 + (n % 26)) + prefix
    n = Math.floor(n / 26)
  } while (n > 0)
  return prefix
}

interface OwnRow {
  id: string
  version: number
}

/** Builds a device's stream of mixed operations and tracks the versions of its rows. */
export class OpStream {
  seq = 0
  private slot = 0
  private receipts = 0
  private readonly receiptPrefix = receiptPrefixOf(streams++)
  private readonly rows: Record<Kind, OwnRow[]> = { collection: [], payment: [] }
  private readonly cursor: Record<Kind, number> = { collection: 0, payment: 0 }

  constructor(private readonly fx: Fixtures) {}

  /** The next `size` operations (with seq and local_id, as a device sends them). */
  next(size: number): PushOperation[] {
    const ops: PushOperation[] = []
    const used = new Set<string>()
    while (ops.length < size) {
      const [kind, action] = SLOTS[this.slot++ % SLOTS.length]
      const target = action === 'update' ? this.pickForUpdate(kind, used) : undefined
      const id = target?.id ?? newId()
      used.add(id)
      this.seq += 1
      const n = this.seq
      const payload: Record<string, unknown> =
        kind === 'collection'
          ? target
            ? { quantity: `${10 + (n % 90)}.${String(n % 1000).padStart(3, '0')}` }
            : {
                supplier_id: this.fx.supplierIds[n % this.fx.supplierIds.length],
                product_id: this.fx.productId,
                collection_date: COLLECTION_DATE,
                quantity: `${10 + (n % 40)}.500`,
                unit: 'kg',
                receipt_number: `${this.receiptPrefix}-${++this.receipts}`,
              }
          : target
            ? { amount: `${100 + (n % 900)}.00` }
            : {
                supplier_id: this.fx.supplierIds[n % this.fx.supplierIds.length],
                payment_date: COLLECTION_DATE,
                amount: `${500 + (n % 500)}.00`,
                payment_type: 'advance',
                payment_method: 'cash',
              }
      ops.push({
        local_id: `op-${newId()}`,
        seq: this.seq,
        entity_type: kind,
        entity_id: id,
        operation_type: target ? 'update' : 'create',
        ...(target ? { base_version: target.version } : {}),
        payload,
        client_timestamp: new Date().toISOString(),
      })
    }
    return ops
  }

  private pickForUpdate(kind: Kind, used: Set<string>): OwnRow | undefined {
    const rows = this.rows[kind]
    for (let tries = 0; tries < Math.min(rows.length, 8); tries++) {
      const row = rows[this.cursor[kind]++ % rows.length]
      if (!used.has(row.id)) return row
    }
    return undefined
  }

  /** Records the outcome of `ops`: the new version of each row (null = not applied). */
  settle(ops: PushOperation[], versions: Array<number | null>): void {
    ops.forEach((op, i) => {
      const version = versions[i]
      if (version === null || version === undefined) return
      const kind = op.entity_type as Kind
      if (op.operation_type === 'create') this.rows[kind].push({ id: op.entity_id, version })
      else {
        const row = this.rows[kind].find((r) => r.id === op.entity_id)
        if (row) row.version = version
      }
    })
  }
}

export interface PushOutcome {
  ok: number
  notOk: number
  /** A few distinct error codes seen (for the report). */
  errors: string[]
}

/** A device that pushes over HTTP with a bearer token bound to its device id. */
export class RawDevice {
  readonly stream: OpStream

  constructor(
    readonly url: string,
    readonly deviceId: string,
    readonly token: string,
    fx: Fixtures,
  ) {
    this.stream = new OpStream(fx)
  }

  async push(ops: PushOperation[]): Promise<PushOutcome> {
    const res = await fetch(`${this.url}/api/sync`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ device_id: this.deviceId, operations: ops }),
    })
    const body = (await res.json()) as {
      results?: Array<{ local_id: string; status: string; version: number | null; error?: { code: string } }>
      error?: { code: string }
    }
    if (!res.ok || !body.results) {
      return { ok: 0, notOk: ops.length, errors: [`HTTP ${res.status} ${body.error?.code ?? ''}`] }
    }
    const byId = new Map(body.results.map((r) => [r.local_id, r]))
    const versions = ops.map((op) => {
      const r = byId.get(op.local_id)
      return r && (r.status === 'success' || r.status === 'duplicate') ? r.version : null
    })
    this.stream.settle(ops, versions)
    const ok = versions.filter((v) => v !== null).length
    const errors = [
      ...new Set(body.results.filter((r) => r.status !== 'success').map((r) => r.error?.code ?? r.status)),
    ]
    return { ok, notOk: ops.length - ok, errors }
  }
}
