/**
 * Who recorded a row, by name. The users' names come with each sync to the
 * roles that see others' records (core's canListPeople: admins, managers,
 * finance), so lists name the collector offline too; a collector sees only
 * their own records, under their own name (lookup.ts recorderName).
 */
import { useSyncClient } from '@trackvault/react'
import { useEffect, useState } from 'react'
import { recorderName } from './lookup'
import { useSession } from './session'

/** A function from a user id to the name to show. */
export function useUserNames(): (userId: string) => string {
  const client = useSyncClient()
  const { user } = useSession()
  const [names, setNames] = useState<Map<string, string>>()
  useEffect(() => {
    let live = true
    const load = () =>
      void client.people().then((people) => {
        if (live) setNames(new Map(people.map((p) => [p.id, p.name])))
      })
    load()
    const stop = client.onSync(load)
    return () => {
      live = false
      stop()
    }
  }, [client])
  return (userId) => names?.get(userId) ?? recorderName(userId, user)
}
