/**
 * Who recorded a row, by name. The users' names come with each sync to the
 * roles that see others' records (core's canListPeople: admins, managers,
 * finance), so lists name the collector offline too; a collector sees only
 * their own records, under their own name (lookup.ts recorderName). A route's
 * page picks the collector of an assignment from the same list (`usePeople`).
 */
import type { Person } from '@trackvault/core'
import { useSyncClient } from '@trackvault/react'
import { useEffect, useMemo, useState } from 'react'
import { recorderName } from './lookup'
import { useSession } from './session'

/** The users (id, name, role, active) as the last sync brought them; undefined until read, empty for a collector. */
export function usePeople(): Person[] | undefined {
  const client = useSyncClient()
  const [people, setPeople] = useState<Person[]>()
  useEffect(() => {
    let live = true
    const load = () =>
      void client.people().then((rows) => {
        if (live) setPeople(rows)
      })
    load()
    const stop = client.onSync(load)
    return () => {
      live = false
      stop()
    }
  }, [client])
  return people
}

/** A function from a user id to the name to show. */
export function useUserNames(): (userId: string) => string {
  const people = usePeople()
  const { user } = useSession()
  const names = useMemo(() => new Map((people ?? []).map((p) => [p.id, p.name])), [people])
  return (userId) => names.get(userId) ?? recorderName(userId, user)
}
