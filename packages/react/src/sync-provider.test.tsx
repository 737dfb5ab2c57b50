import { render, screen } from '@testing-library/react'
import { setDefaultClient } from '@trackvault/client'
import { afterEach, expect, test } from 'vitest'
import { signedInClient } from '../test/fake-server'
import { SyncProvider, useSyncClient } from './sync-provider'

afterEach(() => setDefaultClient(undefined))

function Device() {
  return <p>{useSyncClient().device}</p>
}

test('the provider client wins over the default client', async () => {
  const { client: provided } = await signedInClient()
  const { client: fallback } = await signedInClient()
  setDefaultClient(fallback)
  render(
    <>
      <SyncProvider client={provided}>
        <Device />
      </SyncProvider>
      <Device />
    </>,
  )
  expect(screen.getByText(provided.device)).toBeTruthy()
  expect(screen.getByText(fallback.device)).toBeTruthy()
  await Promise.all([provided.close(), fallback.close()])
})
