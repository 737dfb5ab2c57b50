import { act, render, screen } from '@testing-library/react'
import type { SyncClient } from '@trackvault/client'
import { afterEach, expect, test } from 'vitest'
import { signedInClient } from '../test/fake-server'
import { SyncProvider } from './sync-provider'
import { useOnlineStatus } from './use-online-status'

let client: SyncClient
afterEach(async () => {
  await client?.close()
})

function Online() {
  return <p>{useOnlineStatus() ? 'online' : 'offline'}</p>
}

const renderWith = (c: SyncClient) =>
  render(
    <SyncProvider client={c}>
      <Online />
    </SyncProvider>,
  )

test('useOnlineStatus follows the network monitor', async () => {
  ;({ client } = await signedInClient())
  renderWith(client)
  expect(screen.getByText('online')).toBeTruthy()
  act(() => client.network.setOnline(false))
  expect(screen.getByText('offline')).toBeTruthy()
  act(() => client.network.setOnline(true))
  expect(screen.getByText('online')).toBeTruthy()
})

test('a failed request counts as offline', async () => {
  const setup = await signedInClient()
  client = setup.client
  renderWith(client)
  setup.server.down = true
  await act(() => client.sync())
  expect(screen.getByText('offline')).toBeTruthy()
})
