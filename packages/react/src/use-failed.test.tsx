import { act, render, screen, waitFor } from '@testing-library/react'
import type { SyncClient } from '@trackvault/client'
import { afterEach, expect, test } from 'vitest'
import { signedInClient, supplier } from '../test/fake-server'
import { SyncProvider } from './sync-provider'
import { type FailedResult, useFailed } from './use-failed'

let client: SyncClient
afterEach(async () => {
  await client?.close()
})

let actions: FailedResult
function Failed() {
  actions = useFailed()
  return <p data-testid="failed">{actions.failed.map((op) => op.entity_id).join(',')}</p>
}

test('useFailed lists refused operations; retry and discard settle them', async () => {
  const setup = await signedInClient()
  client = setup.client
  const a = await client.suppliers.create(supplier())
  const b = await client.suppliers.create(supplier())
  setup.server.refuse.add(a.id)
  setup.server.refuse.add(b.id)
  render(
    <SyncProvider client={client}>
      <Failed />
    </SyncProvider>,
  )
  const text = () => screen.getByTestId('failed').textContent
  await act(() => client.sync())
  await waitFor(() => expect(text()).toBe(`${a.id},${b.id}`))

  setup.server.refuse.delete(a.id)
  await act(() => actions.retry(actions.failed[0].local_id))
  await act(() => client.sync())
  await waitFor(() => expect(text()).toBe(b.id))
  expect(setup.server.rows.has(a.id)).toBe(true)

  await act(() => actions.discard(actions.failed[0].local_id))
  await waitFor(() => expect(text()).toBe(''))
  expect(await client.suppliers.get(b.id)).toBeUndefined()
})
