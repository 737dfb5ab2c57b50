import { describe, expect, it } from 'vitest'
import { balanceAfter, balanceAfterPayment, supplierBalance } from './supplier-balance'

const c = (id: string, date: string, total: string | null, over: Record<string, unknown> = {}) => ({
  id,
  supplier_id: 's1',
  collection_date: date,
  total_amount: total,
  created_at: `${date}T10:00:00Z`,
  deleted_at: null,
  ...over,
})
const p = (id: string, date: string, amount: string, over: Record<string, unknown> = {}) => ({
  id,
  supplier_id: 's1',
  payment_date: date,
  amount,
  created_at: `${date}T12:00:00Z`,
  deleted_at: null,
  ...over,
})

describe('supplierBalance', () => {
  it('is collections minus payments, exactly', () => {
    const b = supplierBalance(
      's1',
      [c('c1', '2024-01-01', '0.10'), c('c2', '2024-01-02', '0.20'), c('c3', '2024-01-03', null)],
      [p('p1', '2024-01-02', '0.05')],
    )
    expect(b).toMatchObject({ collected: '0.30', paid: '0.05', balance: '0.25', balanceMinor: 25n, unpriced: 1 })
  })

  it('skips deleted rows and other suppliers', () => {
    const b = supplierBalance(
      's1',
      [c('c1', '2024-01-01', '100.00'), c('c2', '2024-01-01', '50.00', { deleted_at: 'x' })],
      [p('p1', '2024-01-01', '10.00', { supplier_id: 's2' })],
    )
    expect(b.balance).toBe('100.00')
  })

  it('can go negative (paid in advance)', () => {
    expect(supplierBalance('s1', [], [p('p1', '2024-01-01', '20.00')]).balance).toBe('-20.00')
  })
})

describe('balanceAfter', () => {
  it('subtracts a typed amount, or is undefined for bad input', () => {
    expect(balanceAfter(10000n, '25.50')).toBe('74.50')
    expect(balanceAfter(10000n, '150')).toBe('-50.00')
    expect(balanceAfter(10000n, '')).toBeUndefined()
    expect(balanceAfter(10000n, '1.234')).toBeUndefined()
  })
})

describe('balanceAfterPayment', () => {
  it('is the running balance in statement order', () => {
    const collections = [
      c('c1', '2024-01-01', '100.00'),
      c('c2', '2024-01-05', '40.00'),
      c('c3', '2024-01-03', '10.00'),
    ]
    const payments = [p('p1', '2024-01-03', '30.00'), p('p2', '2024-01-06', '50.00')]
    // p1 on 01-03 at 12:00: after c1 (100) and c3 (01-03 at 10:00) -> 110 - 30
    expect(balanceAfterPayment('p1', collections, payments)?.balance).toBe('80.00')
    expect(balanceAfterPayment('p2', collections, payments)?.balance).toBe('70.00')
    expect(balanceAfterPayment('nope', collections, payments)).toBeUndefined()
  })
})
