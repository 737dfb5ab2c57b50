import { act, render, screen, waitFor } from '@testing-library/react'
import type { SyncClient } from '@trackvault/client'
import { afterEach, expect, test } from 'vitest'
import { signedInClient, supplier } from '../test/fake-server'
import { SyncProvider } from './sync-provider'
import { useConflicts } from './use-conflicts'

let client: SyncClient
afterEach(async () => {
  await client?.close()
})

let resolveFirst: (choice: 'use_server' | 'review_later') => Promise<void>
let discardOne: (localId: string) => Promise<void>

function Conflicts() {
  const { conflicts, resolve, discard, isLoading } = useConflicts()
  resolveFirst = (choice) => resolve(conflicts[0].local_id, choice)
  discardOne = discard
  if (isLoading) return <p>loading</p>
  return (
    <ul data-testid="conflicts">
      {conflicts.map((op) => (
        <li
          key={op.local_id}
        >{`${op.status}: ${op.conflict?.fields.join(',')} (server has ${op.conflict?.server.name})`}</li>
      ))}
    </ul>
  )
}

/** A synced supplier, the conflicts list on screen, and a server that answers the row's next change with a conflict. */
async function conflictScene() {
  const setup = await signedInClient()
  client = setup.client
  const row = await client.suppliers.create(supplier('Original'))
  await client.sync()
  render(
    <SyncProvider client={client}>
      <Conflicts />
    </SyncProvider>,
  )
  setup.server.conflictOn.add(row.id)
  return { ...setup, row, list: () => screen.getByTestId('conflicts').textContent }
}

test('useConflicts lists a parked conflict and follows its resolution', async () => {
  const { row, list } = await conflictScene()
  await waitFor(() => expect(list()).toBe(''))

  await client.suppliers.update(row.id, { name: 'Mine' })
  await act(() => client.sync())
  await waitFor(() => expect(list()).toBe('conflict: name (server has Original)'))

  await act(() => resolveFirst('review_later'))
  await waitFor(() => expect(list()).toBe('review_later: name (server has Original)'))

  await act(() => resolveFirst('use_server'))
  await waitFor(() => expect(list()).toBe(''))
  expect((await client.suppliers.get(row.id))?.name).toBe('Original')
})

test("useConflicts' discard drops a conflict, and only a conflict (a failed change is the failed list's)", async () => {
  const { row, list, server } = await conflictScene()
  await client.suppliers.update(row.id, { name: 'Mine' })
  const refused = await client.suppliers.create(supplier('Refused'))
  server.refuse.add(refused.id)
  await act(() => client.sync())
  const [conflict] = await client.conflicts.list()
  const [failed] = await client.failed.list()
  await waitFor(() => expect(list()).toBe('conflict: name (server has Original)'))

  await expect(discardOne(failed.local_id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  await act(() => discardOne(conflict.local_id))
  await waitFor(() => expect(list()).toBe(''))
  expect((await client.suppliers.get(row.id))?.name).toBe('Original')
  expect(await client.failed.list()).toHaveLength(1)
})
