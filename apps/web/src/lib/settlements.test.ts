import { expect, test } from 'vitest'
import { i18next } from '../i18n'
import {
  approval,
  lastApprovedLine,
  lastCalendarMonth,
  nextSort,
  payoutFileSummary,
  resultFileErrors,
  settlementErrorMessage,
  sortLines,
  sortRuns,
} from './settlements'

test('the default period is the last calendar month, across years and leap Februaries', () => {
  expect(lastCalendarMonth('2026-03-15')).toEqual({ from: '2026-02-01', to: '2026-02-28' })
  expect(lastCalendarMonth('2024-03-01')).toEqual({ from: '2024-02-01', to: '2024-02-29' })
  expect(lastCalendarMonth('2026-01-31')).toEqual({ from: '2025-12-01', to: '2025-12-31' })
  expect(lastCalendarMonth('2026-05-31')).toEqual({ from: '2026-04-01', to: '2026-04-30' })
  expect(lastCalendarMonth('2026-08-01')).toEqual({ from: '2026-07-01', to: '2026-07-31' })
})

test('runs are listed newest period first, then the latest created', () => {
  const run = (id: string, period_from: string, period_to: string, created_at: string) => ({
    id,
    period_from,
    period_to,
    created_at,
  })
  const runs = [
    run('april', '2026-04-01', '2026-04-30', '2026-05-02T08:00:00Z'),
    run('may-first', '2026-05-01', '2026-05-31', '2026-06-01T08:00:00Z'),
    run('may-again', '2026-05-01', '2026-05-31', '2026-06-02T08:00:00Z'),
    run('late-may-week', '2026-05-25', '2026-05-31', '2026-06-01T07:00:00Z'),
  ]
  expect(sortRuns(runs).map((r) => r.id)).toEqual(['late-may-week', 'may-again', 'may-first', 'april'])
})

const line = (id: string, supplier_id: string, net_payable: string, gross = '0.00') => ({
  id,
  supplier_id,
  gross,
  deducted: '0.00',
  net_payable,
  payout: net_payable,
  carried_forward: '0.00',
})
const names: Record<string, string> = { s1: 'Wanjiru', s2: 'achieng', s3: 'Kamau', s4: 'Kamau' }
const nameOf = (id: string) => names[id]

test('lines sort by supplier name (case aside) and by amounts exactly, ties stable', () => {
  const lines = [
    line('a', 's1', '9.99'),
    line('b', 's2', '10.00'),
    line('c', 's3', '-5.00'),
    line('d', 's4', '10000000000.01'),
    line('e', 's3', '10.00'),
  ]
  expect(sortLines(lines, { key: 'supplier', dir: 'asc' }, nameOf).map((l) => l.id)).toEqual(['b', 'c', 'd', 'e', 'a'])
  // 10000000000.01 is larger than any float-safe compare would tell apart from 10000000000.00
  expect(sortLines(lines, { key: 'net_payable', dir: 'desc' }, nameOf).map((l) => l.id)).toEqual([
    'd',
    'b',
    'e',
    'a',
    'c',
  ])
  expect(sortLines(lines, { key: 'net_payable', dir: 'asc' }, nameOf).map((l) => l.id)).toEqual([
    'c',
    'a',
    'b',
    'e',
    'd',
  ])
  const close = [line('x', 's1', '0.00', '90071992547409.93'), line('y', 's2', '0.00', '90071992547409.92')]
  expect(sortLines(close, { key: 'gross', dir: 'asc' }, nameOf).map((l) => l.id)).toEqual(['y', 'x'])
})

test('clicking a column sorts by it (names A-Z, amounts largest first); clicking it again flips', () => {
  expect(nextSort({ key: 'supplier', dir: 'asc' }, 'gross')).toEqual({ key: 'gross', dir: 'desc' })
  expect(nextSort({ key: 'gross', dir: 'desc' }, 'gross')).toEqual({ key: 'gross', dir: 'asc' })
  expect(nextSort({ key: 'gross', dir: 'asc' }, 'supplier')).toEqual({ key: 'supplier', dir: 'asc' })
  expect(nextSort({ key: 'supplier', dir: 'asc' }, 'supplier')).toEqual({ key: 'supplier', dir: 'desc' })
})

test("a supplier's last approved statement: approved, live, the latest period; drafts and others' never", () => {
  const l = (id: string, supplier_id: string, status: string, period_to: string, deleted_at: string | null = null) => ({
    id,
    supplier_id,
    status: status as 'draft' | 'approved' | 'discarded',
    period_to,
    updated_at: '2026-06-01T00:00:00Z',
    deleted_at,
  })
  const lines = [
    l('april', 's1', 'approved', '2026-04-30'),
    l('may', 's1', 'approved', '2026-05-31'),
    l('june-draft', 's1', 'draft', '2026-06-30'),
    l('june-discarded', 's1', 'discarded', '2026-06-30'),
    l('deleted', 's1', 'approved', '2026-07-31', '2026-08-01T00:00:00Z'),
    l('other', 's2', 'approved', '2026-12-31'),
  ]
  expect(lastApprovedLine(lines, 's1')?.id).toBe('may')
  expect(lastApprovedLine(lines, 's2')?.id).toBe('other')
  expect(lastApprovedLine(lines, 's3')).toBeUndefined()
  expect(lastApprovedLine([l('only-draft', 's1', 'draft', '2026-06-30')], 's1')).toBeUndefined()
})

test('a draft is approved by a manager or admin who did not compute it', () => {
  const draft = { status: 'draft' as const, created_by: 'finance-1' }
  expect(approval(draft, { id: 'manager-1', role: 'manager' }).may).toBe(true)
  expect(approval(draft, { id: 'admin-1', role: 'admin' }).may).toBe(true)
  expect(approval(draft, { id: 'finance-2', role: 'finance' }).may).toBe(false)
  expect(approval(draft, { id: 'collector-1', role: 'collector' }).may).toBe(false)
  const own = approval({ status: 'draft', created_by: 'manager-1' }, { id: 'manager-1', role: 'manager' })
  expect(own.may).toBe(false)
  expect(own.why).toMatch(/another manager or admin/)
  expect(approval({ status: 'approved', created_by: 'x' }, { id: 'manager-1', role: 'manager' }).may).toBe(false)
  expect(approval(draft, undefined).may).toBe(false)
})

test("a settlement route's refusal reads as what to do, by its code", () => {
  expect(settlementErrorMessage({ code: 'SELF_APPROVAL', message: 'x' })).toMatch(/cannot approve a run you computed/)
  expect(settlementErrorMessage({ code: 'RUN_STALE' })).toMatch(/create a new run/)
  expect(settlementErrorMessage({ offline: true })).toMatch(/Needs a connection/)
  expect(settlementErrorMessage({ code: 'SOMETHING_ELSE', message: 'The server said so' })).toBe('The server said so')
})

test("a payout file's headers read as its count, total and the suppliers left out", () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null
  expect(
    payoutFileSummary(headers({ 'x-payout-count': '2', 'x-payout-total': '2755.00', 'x-payout-missing': '0' })),
  ).toEqual({
    text: '2 payouts, 2,755.00 in total',
    missing: 0,
  })
  const partial = payoutFileSummary(
    headers({ 'x-payout-count': '1', 'x-payout-total': '600.00', 'x-payout-missing': '1' }),
  )
  expect(partial.missing).toBe(1)
  expect(partial.text).toBe(
    "1 payout, 600.00 in total; 1 supplier left out: account details missing (complete them on the supplier's page)",
  )
  expect(payoutFileSummary(headers({}))).toEqual({ text: '', missing: 0 })
})

test("a refused results file's rows read one message each", () => {
  expect(
    resultFileErrors({
      rows: [
        { row: 3, reference: 'R-7', message: 'status must be paid or failed' },
        { row: 4, message: 'unknown reference' },
        'row 5 is empty',
      ],
    }),
  ).toEqual(['Row 3 (R-7): status must be paid or failed', 'Row 4: unknown reference', 'row 5 is empty'])
  expect(resultFileErrors(undefined)).toEqual([])
  expect(resultFileErrors({ fields: {} })).toEqual([])
})

test('what the settlement helpers say is in the language the person chose', async () => {
  await i18next.changeLanguage('sw')
  try {
    expect(settlementErrorMessage({ code: 'RUN_STALE' })).toMatch(/^Makusanyo, malipo au makato yamebadilika/)
    expect(settlementErrorMessage({ offline: true })).toBe('Inahitaji muunganisho: hakuna kilichobadilishwa.')
    // The server's own message is left as it is.
    expect(settlementErrorMessage({ code: 'SOMETHING_ELSE', message: 'The server said so' })).toBe('The server said so')
    const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null
    expect(
      payoutFileSummary(headers({ 'x-payout-count': '2', 'x-payout-total': '2755.00', 'x-payout-missing': '1' })).text,
    ).toBe(
      'Malipo 2, jumla 2,755.00; Msambazaji 1 ameachwa: maelezo ya akaunti hayapo (yakamilishe kwenye ukurasa wa msambazaji)',
    )
    expect(
      resultFileErrors({ rows: [{ row: 3, reference: 'R-7', message: 'status must be paid or failed' }] }),
    ).toEqual(['Safu 3 (R-7): status must be paid or failed'])
    expect(approval({ status: 'draft', created_by: 'm1' }, { id: 'm1', role: 'manager' }).why).toMatch(
      /^Wewe ulikokotoa/,
    )
  } finally {
    await i18next.changeLanguage('en')
  }
})
