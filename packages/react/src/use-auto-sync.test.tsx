import { act, render, waitFor } from '@testing-library/react'
import { type SyncClient, setDefaultClient } from '@trackvault/client'
import { StrictMode } from 'react'
import { afterEach, expect, test, vi } from 'vitest'
import { signedInClient, supplier } from '../test/fake-server'
import { SyncProvider } from './sync-provider'
import { type AutoSyncOptions, type SyncCompleteCallback, useAutoSync } from './use-auto-sync'

let client: SyncClient
afterEach(async () => {
  setDefaultClient(undefined)
  await client?.close()
})

function App({ onComplete, opts }: { onComplete: SyncCompleteCallback; opts?: AutoSyncOptions }) {
  useAutoSync(onComplete, opts)
  return null
}

const renderWith = (c: SyncClient, props: Parameters<typeof App>[0]) =>
  render(
    <SyncProvider client={c}>
      <App {...props} />
    </SyncProvider>,
  )

test('starts the client and reports each finished sync with its counts', async () => {
  const setup = await signedInClient()
  client = setup.client
  await client.suppliers.create(supplier())
  await client.suppliers.create(supplier())
  const onComplete = vi.fn()
  render(
    <StrictMode>
      <SyncProvider client={client}>
        <App onComplete={onComplete} />
      </SyncProvider>
    </StrictMode>,
  )
  // The app-start trigger syncs the two queued suppliers, reported once despite StrictMode.
  await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1))
  expect(onComplete.mock.calls[0].slice(0, 3)).toEqual([2, 0, 0])
  expect(setup.server.rows.size).toBe(2)

  // A conflict and a refused change, synced manually: also reported.
  const [first] = await client.suppliers.list()
  setup.server.conflictOn.add(first.id)
  await client.suppliers.update(first.id, { name: 'Renamed' })
  const refused = await client.suppliers.create(supplier())
  setup.server.refuse.add(refused.id)
  await act(() => client.sync())
  expect(onComplete).toHaveBeenCalledTimes(2)
  expect(onComplete.mock.calls[1].slice(0, 3)).toEqual([0, 1, 1])
})

test('reconnection triggers a sync; unmount leaves the app-owned client running', async () => {
  const setup = await signedInClient()
  client = setup.client
  const onComplete = vi.fn()
  const { unmount } = renderWith(client, { onComplete })
  await waitFor(() => expect(onComplete).toHaveBeenCalledTimes(1))
  unmount()

  client.network.setOnline(false)
  await client.suppliers.create(supplier())
  client.network.setOnline(true) // the client's own trigger, still on after unmount
  await waitFor(() => expect(setup.server.rows.size).toBe(1))
  expect(onComplete).toHaveBeenCalledTimes(1) // the unmounted component is no longer told
})

test('works without a provider, on the default client (the seed usage)', async () => {
  ;({ client } = await signedInClient())
  setDefaultClient(client)
  await client.suppliers.create(supplier())
  const results: number[][] = []
  render(
    <App
      onComplete={(successful, failed, conflicts) => {
        results.push([successful, failed, conflicts])
      }}
    />,
  )
  await waitFor(() => expect(results).toEqual([[1, 0, 0]]))
})

test('a sync skipped because another tab holds the sync lock is not reported', async () => {
  const setup = await signedInClient()
  client = setup.client
  await client.suppliers.create(supplier())
  // Web Locks where every `ifAvailable` request finds the lock taken by another tab.
  const locks = {
    request: (_name: string, opts: { ifAvailable?: boolean }, fn: (lock: unknown) => unknown) =>
      fn(opts.ifAvailable ? null : {}),
  }
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true })
  try {
    const onComplete = vi.fn()
    renderWith(client, { onComplete, opts: { enabled: false } })
    const summary = await act(() => client.sync())
    expect(summary.skipped).toBe(true)
    expect(setup.server.pushes).toBe(0)
    expect(onComplete).not.toHaveBeenCalled()
  } finally {
    delete (navigator as { locks?: unknown }).locks
  }
})

test('enabled: false only listens', async () => {
  const setup = await signedInClient()
  client = setup.client
  await client.suppliers.create(supplier())
  const onComplete = vi.fn()
  renderWith(client, { onComplete, opts: { enabled: false } })
  await new Promise((r) => setTimeout(r, 20))
  expect(setup.server.pushes).toBe(0)
  await act(() => client.sync())
  expect(onComplete).toHaveBeenCalledWith(1, 0, 0, expect.objectContaining({ successful: 1 }))
})
