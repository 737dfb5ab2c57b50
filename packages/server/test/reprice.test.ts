/**
 * Priced collections are frozen; repricing a period is explicit (admins and managers), previewed,
 * applied exactly as previewed with a reason, and recorded in history and in the repricings list.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
let basics: Awaited<ReturnType<typeof seedBasics>>
const ids: Record<string, string> = {}

beforeAll(async () => {
  s = await startTestServer()
  basics = await seedBasics(s.as.manager, '100.00')
  const add = async (name: string, date: string, quantity: string) => {
    const res = await s.as.manager.post('/api/collections', {
      supplier_id: basics.supplierId,
      product_id: basics.productId,
      collection_date: date,
      quantity,
      unit: 'kg',
    })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    ids[name] = res.body.id
  }
  await add('feb1', '2026-02-01', '10')
  await add('feb2', '2026-02-14', '20.5')
  await add('feb3', '2026-02-28', '3')
  await add('mar', '2026-03-01', '7')
})
afterAll(() => s?.close())

const scope = () => ({ product_id: basics.productId, from: '2026-02-01', to: '2026-02-28' })
const totals = async () => {
  const out: Record<string, [number, string]> = {}
  for (const [name, id] of Object.entries(ids)) {
    const row = (await s.as.manager.get(`/api/collections/${id}`)).body
    out[name] = [row.version, row.total_amount]
  }
  return out
}

describe('repricing a period', () => {
  test('a corrected rate leaves priced collections alone until the period is repriced on purpose', async () => {
    const rate = (await s.as.manager.get(`/api/product-rates/${basics.rateId}`)).body
    const fix = await s.as.manager.patch(`/api/product-rates/${basics.rateId}`, {
      rate: '110.00',
      version: rate.version,
    })
    expect(fix.status, JSON.stringify(fix.body)).toBe(200)
    const frozen = await totals()
    expect(frozen).toEqual({
      feb1: [1, '1000.00'],
      feb2: [1, '2050.00'],
      feb3: [1, '300.00'],
      mar: [1, '700.00'],
    })

    // Who may: admins and managers.
    expect((await s.as.collector.post('/api/reprices/preview', scope())).status).toBe(403)
    expect((await s.as.finance.post('/api/reprices/preview', scope())).status).toBe(403)
    const reversed = await s.as.manager.post('/api/reprices/preview', { ...scope(), from: '2026-03-01' })
    expect([reversed.status, reversed.body.error.code]).toEqual([422, 'VALIDATION_FAILED'])

    const preview = await s.as.manager.post('/api/reprices/preview', scope())
    expect(preview.status, JSON.stringify(preview.body)).toBe(200)
    expect(preview.body).toMatchObject({
      examined: 3,
      total_before: '3350.00',
      total_after: '3685.00',
      difference: '335.00',
      refused: [],
    })
    expect(
      preview.body.changes.map((c: { id: string; after: { total_amount: string } }) => [c.id, c.after.total_amount]),
    ).toEqual([
      [ids.feb1, '1100.00'],
      [ids.feb2, '2255.00'],
      [ids.feb3, '330.00'],
    ])
    expect(await totals()).toEqual(frozen) // a preview writes nothing

    // Applying needs a reason and the preview's fingerprint.
    const noReason = await s.as.manager.post('/api/reprices', { scope: scope(), fingerprint: preview.body.fingerprint })
    expect(noReason.status).toBe(422)
    const forged = await s.as.manager.post('/api/reprices', {
      scope: scope(),
      reason: 'February rate corrected',
      fingerprint: '0'.repeat(64),
    })
    expect([forged.status, forged.body.error.code]).toEqual([409, 'PREVIEW_STALE'])
    expect(await totals()).toEqual(frozen)

    // Someone edits a collection in the period after the preview: it reprices itself, and the plan changed.
    const edited = await s.as.manager.patch(`/api/collections/${ids.feb3}`, { quantity: '4', version: 1 })
    expect(edited.body).toMatchObject({ version: 2, total_amount: '440.00' })
    const stale = await s.as.manager.post('/api/reprices', {
      scope: scope(),
      reason: 'February rate corrected',
      fingerprint: preview.body.fingerprint,
    })
    expect([stale.status, stale.body.error.code]).toEqual([409, 'PREVIEW_STALE'])
    expect(stale.body.error.details.changes).toBe(2)

    const again = await s.as.manager.post('/api/reprices/preview', scope())
    expect(again.body.changes).toHaveLength(2)
    const applied = await s.as.manager.post('/api/reprices', {
      scope: scope(),
      reason: 'February rate corrected',
      fingerprint: again.body.fingerprint,
    })
    expect(applied.status, JSON.stringify(applied.body)).toBe(200)
    expect(applied.body).toMatchObject({ total_before: '3050.00', total_after: '3355.00', difference: '305.00' })
    expect(await totals()).toEqual({
      feb1: [2, '1100.00'],
      feb2: [2, '2255.00'],
      feb3: [2, '440.00'],
      mar: [1, '700.00'], // outside the period
    })

    // Audited: the new version names the repricing, who, why and the total before; the list has it.
    const history = (await s.as.manager.get(`/api/history/collection/${ids.feb1}`)).body.data
    expect(history.at(-1)).toMatchObject({
      user_id: s.users.manager.id,
      data: {
        total_amount: '1100.00',
        sync_metadata: {
          repriced: { id: applied.body.id, reason: 'February rate corrected', total_before: '1000.00' },
        },
      },
    })
    const list = await s.as.manager.get(`/api/reprices?product_id=${basics.productId}`)
    expect(list.body).toEqual([
      expect.objectContaining({
        id: applied.body.id,
        from: '2026-02-01',
        to: '2026-02-28',
        reason: 'February rate corrected',
        changed: 2,
        total_before: '3050.00',
        total_after: '3355.00',
        created_by: s.users.manager.id,
      }),
    ])
    expect((await s.as.collector.get('/api/reprices')).status).toBe(403)
    // Nothing is left to reprice.
    expect((await s.as.manager.post('/api/reprices/preview', scope())).body.changes).toEqual([])
  })
})
