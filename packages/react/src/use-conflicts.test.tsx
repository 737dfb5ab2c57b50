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

function Conflicts() {
  const { conflicts, resolve, isLoading } = useConflicts()
  resolveFirst = (choice) => resolve(conflicts[0].local_id, choice)
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

test('useConflicts lists a parked conflict and follows its resolution', async () => {
  const setup = await signedInClient()
  client = setup.client
  const row = await client.suppliers.create(supplier('Original'))
  await client.sync()
  render(
    <SyncProvider client={client}>
      <Conflicts />
    </SyncProvider>,
  )
  const list = () => screen.getByTestId('conflicts').textContent
  await waitFor(() => expect(list()).toBe(''))

  setup.server.conflictOn.add(row.id)
  await client.suppliers.update(row.id, { name: 'Mine' })
  await act(() => client.sync())
  await waitFor(() => expect(list()).toBe('conflict: name (server has Original)'))

  await act(() => resolveFirst('review_later'))
  await waitFor(() => expect(list()).toBe('review_later: name (server has Original)'))

  await act(() => resolveFirst('use_server'))
  await waitFor(() => expect(list()).toBe(''))
  expect((await client.suppliers.get(row.id))?.name).toBe('Original')
})
