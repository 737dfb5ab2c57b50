import { describe, expect, it } from 'vitest'
import { typedWeightsByCollector } from './typed-weights'

const c = (
  user_id: string,
  collection_date: string,
  weight_source: string | undefined,
  deleted_at: string | null = null,
) => ({
  user_id,
  collection_date,
  weight_source,
  deleted_at,
})

describe('weights typed by hand per collector', () => {
  const rows = [
    c('ann', '2026-05-01', 'typed'),
    c('ann', '2026-05-02', 'scale'),
    c('ann', '2026-05-03', 'scale'),
    c('bob', '2026-05-01', 'typed'),
    c('bob', '2026-05-02', 'typed'),
    c('bob', '2026-05-02', 'typed', '2026-05-03T00:00:00Z'), // deleted
    c('cy', '2026-05-02', 'scale'),
    c('dee', '2026-04-30', 'typed'), // before the range
    c('eve', '2026-05-04', undefined), // from before the field existed
  ]

  it('counts the range only, most typed first, with the share in whole percent', () => {
    expect(typedWeightsByCollector(rows, { from: '2026-05-01', to: '2026-05-03' })).toEqual({
      rows: [
        { user_id: 'bob', typed: 2, total: 2, percent: 100 },
        { user_id: 'ann', typed: 1, total: 3, percent: 33 },
        { user_id: 'cy', typed: 0, total: 1, percent: 0 },
      ],
      typed: 3,
      total: 6,
    })
  })

  it('an open end takes every date on that side; a row without a source counts as typed', () => {
    const all = typedWeightsByCollector(rows, { from: '', to: '' })
    expect(all.rows.map((r) => [r.user_id, r.typed, r.total])).toEqual([
      ['bob', 2, 2],
      ['dee', 1, 1], // as many typed as ann, a larger share
      ['eve', 1, 1],
      ['ann', 1, 3],
      ['cy', 0, 1],
    ])
    expect(typedWeightsByCollector(rows, { from: '2026-05-04', to: '' }).rows).toEqual([
      { user_id: 'eve', typed: 1, total: 1, percent: 100 },
    ])
    expect(
      typedWeightsByCollector([c('x', '2026-05-01', 'typed'), c('x', '2026-05-01', 'scale')], { from: '', to: '' })
        .rows[0].percent,
    ).toBe(50)
    expect(typedWeightsByCollector([], { from: '', to: '' })).toEqual({ rows: [], typed: 0, total: 0 })
  })
})
