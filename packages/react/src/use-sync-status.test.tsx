import { act, render, screen, waitFor } from '@testing-library/react'
import type { SyncClient } from '@trackvault/client'
import { afterEach, expect, test } from 'vitest'
import { signedInClient, supplier } from '../test/fake-server'
import { SyncProvider } from './sync-provider'
import { useSyncStatus } from './use-sync-status'

let client: SyncClient
afterEach(async () => {
  await client?.close()
})

function Status() {
  const { pending, connection } = useSyncStatus()
  const failed = useSyncStatus((s) => s.failed)
  return <p data-testid="status">{`${pending} pending, ${failed} failed, ${connection}`}</p>
}

test('useSyncStatus shows the pending count as it changes', async () => {
  ;({ client } = await signedInClient())
  render(
    <SyncProvider client={client}>
      <Status />
    </SyncProvider>,
  )
  const text = () => screen.getByTestId('status').textContent
  expect(text()).toBe('0 pending, 0 failed, idle')

  await act(async () => {
    await client.suppliers.create(supplier())
    await client.suppliers.create(supplier())
  })
  await waitFor(() => expect(text()).toBe('2 pending, 0 failed, idle'))

  await act(() => client.sync())
  await waitFor(() => expect(text()).toBe('0 pending, 0 failed, idle'))
})
