import { describe, expect, it } from 'vitest'
import { listRows } from './list-query'
import type { ViewRow } from './replica'

const supplier = (id: string, route_id: string | null): ViewRow =>
  ({ id, code: id, name: id, route_id, created_at: '2026-01-01T00:00:00Z', deleted_at: null }) as unknown as ViewRow

describe('listRows', () => {
  const rows = [supplier('a', 'north'), supplier('b', 'south'), supplier('c', null)]
  const ids = (filter: Parameters<typeof listRows>[2]) => listRows(rows, 'supplier', filter).map((r) => r.id)

  it("filters suppliers by route, and null finds the unrouted ones (core's list spec filters route_id)", () => {
    expect(ids({ route_id: 'north' })).toEqual(['a'])
    expect(ids({ route_id: null })).toEqual(['c'])
    expect(ids({})).toEqual(['a', 'b', 'c'])
  })
})

describe('listRows on collections', () => {
  const collection = (id: string, weight_source: string): ViewRow =>
    ({
      id,
      weight_source,
      collection_date: '2026-01-15',
      created_at: `2026-01-15T00:00:0${id}Z`,
      deleted_at: null,
    }) as unknown as ViewRow

  it("filters where the weight came from (core's list spec filters weight_source), as the server does", () => {
    const rows = [collection('1', 'typed'), collection('2', 'scale'), collection('3', 'typed')]
    const ids = (filter: Parameters<typeof listRows>[2]) => listRows(rows, 'collection', filter).map((r) => r.id)
    expect(ids({ weight_source: 'typed' })).toEqual(['3', '1'])
    expect(ids({ weight_source: 'scale' })).toEqual(['2'])
    expect(ids({})).toEqual(['3', '2', '1'])
  })
})
