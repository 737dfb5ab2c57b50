/**
 * Where a supplier's balance comes from. Roles that read every collection and
 * payment compute it from the local replica (works offline, includes queued
 * changes), less what approved settlement runs deducted (the replica's
 * settlement lines, which these roles read in full). Others (collectors see only their own collections and no
 * payments) ask the server while online; offline they show the balances the last sync cached for
 * the suppliers their device holds (`client.cachedBalances()`), and "—" for others: core's
 * permissions let every role read any one supplier's balance.
 */
import { canReadReport, grantFor } from '@trackvault/core'
import { useLiveQuery, useOnlineStatus, useSyncClient } from '@trackvault/react'
import { useEffect, useState } from 'react'
import { type BalanceTotals, balancesBySupplier } from './balances'
import { useSession } from './session'

/** True if this user's local replica holds every collection and payment, so balances can be computed here. */
export function useLocalBalances(): boolean {
  const { user } = useSession()
  if (!user) return false
  return grantFor(user.role, 'collection', 'read') === 'all' && grantFor(user.role, 'payment', 'read') === 'all'
}

/** Balances of every supplier from the local rows (an empty map when `enabled` is false). */
export function useBalancesBySupplier(enabled: boolean): Map<string, BalanceTotals> | undefined {
  const { data } = useLiveQuery(
    async (c) => {
      if (!enabled) return new Map<string, BalanceTotals>()
      const [collections, payments, lines] = await Promise.all([
        c.collections.list(),
        c.payments.list(),
        c.settlementLines.list(),
      ])
      return balancesBySupplier(collections, payments, { lines })
    },
    [enabled],
    { types: ['collection', 'payment', 'settlement_line'] },
  )
  return data
}

export interface ServerBalance {
  supplier_id: string
  total_collections: string
  total_payments: string
  balance: string
}

/**
 * The server's balance of each supplier in `ids`, fetched while online and
 * refetched after a sync that moved data, when `wanted` and the role may read
 * balances. Otherwise, and offline, it is empty (show "—").
 */
export function useServerBalances(ids: readonly string[], wanted: boolean): Record<string, ServerBalance> {
  const { user } = useSession()
  // Core's rule, as the server enforces it: who may read a supplier's balance.
  const enabled = wanted && !!user && canReadReport(user.role, 'supplier_balance')
  const client = useSyncClient()
  const online = useOnlineStatus()
  const [values, setValues] = useState<Record<string, ServerBalance>>({})
  const [cached, setCached] = useState<Record<string, ServerBalance>>({})
  const [round, setRound] = useState(0)
  const [synced, setSynced] = useState(0)
  const key = ids.join(',')

  // What the last sync cached (a collector's suppliers), for use without signal.
  useEffect(() => {
    if (!enabled || synced < 0) return
    let cancelled = false
    void client.cachedBalances().then((b) => {
      if (!cancelled) setCached(Object.fromEntries((b?.data ?? []).map((x) => [x.supplier_id, x])))
    })
    return () => {
      cancelled = true
    }
  }, [client, enabled, synced])

  useEffect(
    () =>
      client.onSync((s) => {
        if (s.skipped || s.error) return
        setSynced((n) => n + 1)
        if (s.successful + s.pulled > 0) setRound((r) => r + 1)
      }),
    [client],
  )

  useEffect(() => {
    if (!enabled || !online || !key || round < 0) return
    let cancelled = false
    const list = key.split(',')
    void Promise.allSettled(
      list.map((id) => client.request<ServerBalance>('GET', `/api/suppliers/${encodeURIComponent(id)}/balance`)),
    ).then((results) => {
      if (cancelled) return
      setValues((prev) => {
        const next = { ...prev }
        results.forEach((r, i) => {
          if (r.status === 'fulfilled') next[list[i]] = r.value
        })
        return next
      })
    })
    return () => {
      cancelled = true
    }
  }, [client, enabled, online, key, round])

  if (!enabled) return {}
  return online ? { ...cached, ...values } : cached
}
