/**
 * Who recorded a row, by name. User names do not sync; an admin's device
 * asks the server for the users while online (once per sign-in), everyone
 * else sees their own name and a short id for others (lookup.ts recorderName).
 */
import type { User } from '@trackvault/core'
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import { useEffect, useState } from 'react'
import { recorderName } from './lookup'
import { useCan } from './permissions'
import { useSession } from './session'

let cached: { userId: string; names: Promise<Map<string, string>> } | undefined

/** A function from a user id to the name to show. */
export function useUserNames(): (userId: string) => string {
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const { user } = useSession()
  const { users: mayList } = useCan()
  const [names, setNames] = useState<Map<string, string>>()
  useEffect(() => {
    if (!user || !mayList || !online) return
    if (cached?.userId !== user.id) {
      const names = client
        .request<{ data: User[] }>('GET', '/api/users')
        .then((res) => new Map(res.data.map((u) => [u.id, u.name])))
      cached = { userId: user.id, names }
      // A failure is asked again next time.
      names.catch(() => {
        if (cached?.names === names) cached = undefined
      })
    }
    let live = true
    cached.names.then((m) => live && setNames(m)).catch(() => undefined)
    return () => {
      live = false
    }
  }, [client, user, mayList, online])
  return (userId) => names?.get(userId) ?? recorderName(userId, user)
}
