/**
 * The suppliers this user picked last on this device (at most RECENT_MAX,
 * most recent first), kept in localStorage per user, so the supplier picker
 * lists them first, offline too. A shared phone keeps each user's own list.
 */
import { useCallback, useState } from 'react'
import { rememberRecent } from './supplier-search'

const keyOf = (userId: string) => `trackvault:recent-suppliers:${userId}`

function load(userId: string | undefined): string[] {
  if (!userId) return []
  try {
    const parsed: unknown = JSON.parse(globalThis.localStorage?.getItem(keyOf(userId)) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : []
  } catch {
    return []
  }
}

/** The recent supplier ids of `userId`, and a function that records a pick. */
export function useRecentSuppliers(userId: string | undefined): [string[], (id: string) => void] {
  const [state, setState] = useState(() => ({ userId, ids: load(userId) }))
  const ids = state.userId === userId ? state.ids : load(userId)
  const remember = useCallback(
    (id: string) => {
      if (!userId) return
      const next = rememberRecent(load(userId), id)
      try {
        globalThis.localStorage?.setItem(keyOf(userId), JSON.stringify(next))
      } catch {}
      setState({ userId, ids: next })
    },
    [userId],
  )
  return [ids, remember]
}
