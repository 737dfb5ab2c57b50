/**
 * A simulated device: its crash-surviving store, the client engine over it,
 * who uses it, its random streams, and what its people do (the action weights
 * of each role); the roster says who has which device.
 */
import type { QueuedOp, SyncClient } from '@trackvault/client'
import type { Role } from '@trackvault/core'
import { SimDisk } from './disk'
import type { Rng } from './prng'
import type { SimUser } from './server'

export class Device {
  readonly disk = new SimDisk()
  client!: SyncClient
  offlineUntil = -1
  readonly tasks = new Set<Promise<unknown>>()
  /** Set just before a local write: the next new queued operation is this user action. */
  expect: { marker?: string } | undefined
  /** The signed-in user (a shared phone changes hands). */
  user: SimUser
  /** Between a sign-out and the next successful sign-in. */
  signedOut = false
  /** The server refused the session (issued after the backup a restore put back): the person signs in again. */
  signInDue = false

  constructor(
    readonly index: number,
    /** Who uses this device: one person, or several on a shared phone. */
    readonly users: SimUser[],
    readonly rng: Rng,
    readonly netRng: Rng,
    readonly batchSize: number,
    readonly pullLimit: number,
  ) {
    this.user = users[0]
  }

  /** The bearer token of the session on this device's store, if any. */
  sessionToken(): string | undefined {
    return (this.disk.data.get('meta/session') as { token?: string } | undefined)?.token
  }

  /** Queued operations on this device's store, of every user. */
  storedOps(): QueuedOp[] {
    const ops: QueuedOp[] = []
    for (const [k, v] of this.disk.data) if (k.startsWith('op/')) ops.push(v as unknown as QueuedOp)
    return ops
  }

  get role(): Role {
    return this.user.role
  }

  busy(): boolean {
    return this.tasks.size > 0 || this.client.status.current.syncing
  }

  /** Runs work in the background; the device is busy until it settles (its failure is counted by the caller). */
  track(p: Promise<unknown>) {
    const t = p.catch(() => {})
    this.tasks.add(t)
    void t.finally(() => this.tasks.delete(t))
  }
}

export type Action =
  | 'supplier_create'
  | 'supplier_update'
  | 'supplier_delete'
  | 'rate_change'
  | 'collection_create'
  | 'collection_update'
  | 'collection_delete'
  | 'payment_create'
  | 'payment_update'
  | 'payment_delete'
  | 'deduction_create'
  | 'deduction_update'
  | 'supplier_route'
  | 'assignment_change'
  | 'route_create'
  | 'resolve'
  | 'failed'

export const ACTIONS: Record<Role, Partial<Record<Action, number>>> = {
  admin: {
    supplier_create: 3,
    supplier_update: 12,
    supplier_delete: 1,
    rate_change: 3,
    collection_create: 4,
    collection_update: 5,
    collection_delete: 2,
    payment_create: 3,
    payment_update: 4,
    payment_delete: 1,
    deduction_create: 1.5,
    deduction_update: 1,
    supplier_route: 4,
    assignment_change: 3.5,
    route_create: 0.4,
    resolve: 8,
    failed: 6,
  },
  manager: {
    supplier_create: 3,
    supplier_update: 14,
    supplier_delete: 1.5,
    rate_change: 4,
    collection_create: 4,
    collection_update: 6,
    collection_delete: 2,
    payment_create: 3,
    payment_update: 5,
    payment_delete: 1,
    deduction_create: 1.5,
    deduction_update: 1,
    supplier_route: 4,
    assignment_change: 3.5,
    route_create: 0.4,
    resolve: 8,
    failed: 6,
  },
  finance: {
    payment_create: 10,
    payment_update: 9,
    payment_delete: 2,
    deduction_create: 3,
    deduction_update: 2,
    resolve: 8,
    failed: 6,
  },
  collector: { supplier_create: 2, collection_create: 16, collection_update: 7, resolve: 8, failed: 6 },
}

/**
 * Roles of the devices: an admin, managers, finance, collectors. With six or more devices the last one
 * is a shared phone: the first collector's second device, also used by a collector without a phone.
 */
export function roster(n: number): Array<{ role: Role; name: string; shared?: boolean }> {
  const out: Array<{ role: Role; name: string; shared?: boolean }> = [{ role: 'admin', name: 'Ada Admin' }]
  const managers = Math.max(1, Math.round(n * 0.2))
  const finance = n >= 4 ? Math.max(1, Math.round(n * 0.1)) : 0
  for (let i = 0; i < managers && out.length < n; i++) out.push({ role: 'manager', name: `Manager ${i + 1}` })
  for (let i = 0; i < finance && out.length < n; i++) out.push({ role: 'finance', name: `Finance ${i + 1}` })
  const firstCollector = out.length
  while (out.length < n) {
    if (n >= 6 && out.length === n - 1) out.push({ role: 'collector', name: 'Collector without a phone', shared: true })
    else out.push({ role: 'collector', name: `Collector ${out.length - firstCollector + 1}` })
  }
  return out
}
