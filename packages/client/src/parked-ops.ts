/**
 * What a person does with the operations the server did not apply: the
 * conflicts (resolve on the server, or review later) and the failed actions
 * (retry, optionally edited). Either can be discarded. Nothing parked ever
 * leaves the queue without one of these decisions.
 */
import { AppError, type Resolution } from '@trackvault/core'
import { type ApiClient, ApiError } from './http'
import type { LocalDb } from './local-db'
import type { Outbox } from './outbox'
import { type OpStatus, opsAt, type QueuedOp } from './queue'

/** How a conflict is settled: on the server (`use_server`, `force`, a field-by-field merge) or not yet. */
export type ResolveChoice = Resolution | 'review_later' | { merge: Record<string, unknown> }

/** `client.conflicts`: operations parked on a conflict (with base, server and client versions). */
export interface ConflictActions {
  list(): Promise<QueuedOp[]>
  /** `review_later` keeps the change parked (durable, visible); the others are settled on the server and need the network. */
  resolve(localId: string, choice: ResolveChoice): Promise<void>
  /** Drops the local change; the row shows the server's version again. */
  discard(localId: string): Promise<void>
}

/** `client.failed`: operations the server refused or that could not be sent. */
export interface FailedActions {
  list(): Promise<QueuedOp[]>
  /** Sends it again; `payload` replaces what is sent (the "edit" action). */
  retry(localId: string, edit?: { payload?: Record<string, unknown> }): Promise<void>
  /** Drops the change; the row shows the server's version again. Any parked change may be discarded here. */
  discard(localId: string): Promise<void>
}

export interface ParkedOpsDeps {
  db: LocalDb
  api: ApiClient
  outbox: Outbox
  deviceId: () => string
  userId: () => string | undefined
  /** After a decision that gives the server work (resolved, retried): sync soon. */
  nudge: () => void
}

const CONFLICTED: OpStatus[] = ['conflict', 'review_later']

/** The conflict and failed-action lists of the signed-in user, with their decisions. */
export function parkedOps(deps: ParkedOpsDeps): { conflicts: ConflictActions; failed: FailedActions } {
  const { db, api, outbox } = deps
  const parked = () => outbox.parked(deps.userId())

  /** One of the signed-in user's operations in one of `statuses`, or NOT_FOUND. */
  const own = async (localId: string, statuses: OpStatus[]): Promise<QueuedOp> => {
    const op = await outbox.find(localId)
    if (!op || op.user_id !== deps.userId() || !statuses.includes(op.status)) {
      throw new AppError('NOT_FOUND', `No such operation ${localId}`)
    }
    return op
  }

  const discard = (statuses: OpStatus[]) => async (localId: string) => {
    const op = await own(localId, statuses)
    await db.write((tx) => outbox.discard(tx, op))
  }

  const conflicts: ConflictActions = {
    list: async () => (await parked()).filter((op) => CONFLICTED.includes(op.status)),
    resolve: async (localId, choice) => {
      const op = await own(localId, CONFLICTED)
      if (choice === 'review_later') {
        await db.write((tx) => outbox.reviewLater(tx, op))
        return
      }
      const body =
        typeof choice === 'object'
          ? { device_id: deps.deviceId(), local_id: op.local_id, resolution: 'merge' as const, fields: choice.merge }
          : { device_id: deps.deviceId(), local_id: op.local_id, resolution: choice }
      const answer = await api.resolve(body).catch((err: unknown) => {
        if (err instanceof ApiError && err.code === 'UNKNOWN_OPERATION') return undefined
        throw err
      })
      if (answer) {
        await db.write((tx) => outbox.settleSuccess(tx, op, answer.result, { journal: choice !== 'use_server' }))
      } else {
        // The server has no record of the conflict (restored from a backup since): the decision is
        // carried out on the device. Keeping the server's version drops the change; forcing or
        // merging sends it again as a new operation against the rows as they stand now, so it
        // applies, or comes back as a conflict to decide again; it is never lost or forced blindly.
        await db.write(async (tx) => {
          // Still the parked conflict it was when the question went out (not discarded meanwhile)?
          const [now] = await opsAt(tx, [op.seq])
          if (now?.local_id !== op.local_id || !CONFLICTED.includes(now.status)) return
          if (choice === 'use_server') return outbox.discard(tx, op)
          const payload = typeof choice === 'object' ? { ...op.payload, ...choice.merge } : op.payload
          await outbox.requeue(tx, op, { payload: payload as QueuedOp['payload'] }, { newIdentity: true })
        })
      }
      deps.nudge()
    },
    discard: discard(CONFLICTED),
  }

  const failed: FailedActions = {
    list: async () => (await parked()).filter((op) => op.status === 'failed'),
    retry: async (localId, edit) => {
      const op = await own(localId, ['failed'])
      const payload = edit?.payload as QueuedOp['payload'] | undefined
      // An edited change goes out as a new operation: the first may have reached the server (a transient
      // failure cannot tell), and a replay of its local_id would answer with that outcome, dropping the edit.
      const edited = payload !== undefined && JSON.stringify(payload) !== JSON.stringify(op.payload)
      await db.write((tx) => outbox.requeue(tx, op, payload ? { payload } : {}, { newIdentity: edited }))
      deps.nudge()
    },
    // Any parked change: the simulation and older callers discard unresolvable conflicts here too.
    discard: discard(['failed', ...CONFLICTED]),
  }

  return { conflicts, failed }
}
