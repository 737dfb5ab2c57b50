import { afterAll, beforeAll, expect, test } from 'vitest'
import { seedBasics, startTestServer, type TestServer } from './helpers/test-server'

let s: TestServer
beforeAll(async () => {
  s = await startTestServer()
})
afterAll(() => s?.close())

test('a collection is priced by the server', async () => {
  const { productId, supplierId } = await seedBasics(s.as.manager)
  const res = await s.as.collector.post('/api/collections', {
    supplier_id: supplierId,
    product_id: productId,
    collection_date: '2026-01-05',
    quantity: '50.5',
    unit: 'kg',
    rate_applied: '1.00',
    total_amount: '1.00',
  })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  expect(res.body.total_amount).toBe('6060.00')
  expect(res.body.user_id).toBe(s.users.collector.id)
  const list = await s.as.manager.get('/api/collections?per_page=5')
  expect(list.body.total).toBe(1)
})
