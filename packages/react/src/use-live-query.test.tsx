import { act, render, screen, waitFor } from '@testing-library/react'
import type { SyncClient, ViewRow } from '@trackvault/client'
import { StrictMode } from 'react'
import { afterEach, describe, expect, test } from 'vitest'
import { signedInClient, supplier } from '../test/fake-server'
import { SyncProvider } from './sync-provider'
import { useLiveList, useLiveQuery } from './use-live-query'

const PRODUCT = '0190a000-0000-7000-8000-0000000000aa'
const collection = (supplier_id: string, quantity: string) => ({
  supplier_id,
  product_id: PRODUCT,
  collection_date: '2024-05-01',
  quantity,
  unit: 'kg',
})

let client: SyncClient
afterEach(async () => {
  await client?.close()
})

function Collections({ supplierId, onRender }: { supplierId: string; onRender?: (rows?: ViewRow[]) => void }) {
  const { data, isLoading } = useLiveQuery((c) => c.collections.list({ supplier_id: supplierId }), [supplierId])
  onRender?.(data)
  if (isLoading) return <p>loading</p>
  return <p data-testid="quantities">{data?.map((r) => r.quantity).join(',') || 'none'}</p>
}

let gate: Promise<void>
let slowRuns = 0
function Slow() {
  const { data } = useLiveQuery(async (c) => {
    slowRuns += 1
    await gate
    return c.suppliers.list()
  })
  return <p>{data?.length ?? 'loading'}</p>
}

function Broken() {
  const { error, isLoading } = useLiveQuery(async () => {
    throw new Error('boom')
  })
  return <p>{isLoading ? 'loading' : String((error as Error).message)}</p>
}

function Suppliers({ client }: { client: SyncClient }) {
  const { data = [] } = useLiveList(client.suppliers, { search: 'a' })
  return <p data-testid="names">{data.map((s) => s.name).join(',')}</p>
}

describe('useLiveQuery', () => {
  test('re-renders after a local create, and follows its deps', async () => {
    ;({ client } = await signedInClient())
    const a = await client.suppliers.create(supplier())
    const b = await client.suppliers.create(supplier())
    const { rerender } = render(
      <SyncProvider client={client}>
        <Collections supplierId={a.id} />
      </SyncProvider>,
    )
    expect(await screen.findByText('none')).toBeTruthy()

    await act(() => client.collections.create(collection(a.id, '2.5')))
    await waitFor(() => expect(screen.getByTestId('quantities').textContent).toBe('2.500'))

    await act(() => client.collections.create(collection(b.id, '7')))
    rerender(
      <SyncProvider client={client}>
        <Collections supplierId={b.id} />
      </SyncProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('quantities').textContent).toBe('7.000'))
  })

  test('keeps results stable: other entity types and equal results cause no re-render', async () => {
    ;({ client } = await signedInClient())
    const a = await client.suppliers.create(supplier())
    await client.collections.create(collection(a.id, '1'))
    const seen: Array<ViewRow[] | undefined> = []
    render(
      <StrictMode>
        <SyncProvider client={client}>
          <Collections supplierId={a.id} onRender={(rows) => seen.push(rows)} />
        </SyncProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(screen.getByTestId('quantities').textContent).toBe('1.000'))
    const renders = seen.length
    const first = seen.at(-1)

    // A supplier write is another type: the collections query does not even re-run.
    await act(() => client.suppliers.create(supplier()))
    // A collection of another supplier re-runs the query, but the result is equal.
    const other = await client.suppliers.create(supplier())
    await act(() => client.collections.create(collection(other.id, '9')))
    await act(() => new Promise((r) => setTimeout(r, 20)))

    expect(seen.length).toBe(renders)
    expect(seen.at(-1)).toBe(first)
  })

  test('drops results that arrive after unmount', async () => {
    ;({ client } = await signedInClient())
    let release: () => void = () => {}
    gate = new Promise<void>((r) => {
      release = r
    })
    const { unmount } = render(
      <SyncProvider client={client}>
        <Slow />
      </SyncProvider>,
    )
    await waitFor(() => expect(slowRuns).toBe(1))
    unmount()
    release()
    await client.suppliers.create(supplier())
    await new Promise((r) => setTimeout(r, 20))
    expect(slowRuns).toBe(1) // no longer watching
  })

  test('reports a failing query as error', async () => {
    ;({ client } = await signedInClient())
    render(
      <SyncProvider client={client}>
        <Broken />
      </SyncProvider>,
    )
    expect(await screen.findByText('boom')).toBeTruthy()
  })
})

describe('useLiveList', () => {
  test('lists one entity type with an inline filter and updates on writes', async () => {
    ;({ client } = await signedInClient())
    await client.suppliers.create({ code: 'A1', name: 'Alpha' })
    render(
      <SyncProvider client={client}>
        <Suppliers client={client} />
      </SyncProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('names').textContent).toBe('Alpha'))
    await act(() => client.suppliers.create({ code: 'B1', name: 'Banana' }))
    await waitFor(() => expect(screen.getByTestId('names').textContent).toBe('Alpha,Banana'))
  })
})
