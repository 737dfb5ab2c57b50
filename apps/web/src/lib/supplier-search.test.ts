import { ENTITY_SPECS } from '@trackvault/core'
import { describe, expect, it } from 'vitest'
import {
  type PickerSupplier,
  pickerSuppliers,
  RECENT_MAX,
  rememberRecent,
  SUPPLIER_SEARCH_FIELDS,
  supplierMatches,
} from './supplier-search'

const s = (id: string, code: string, name: string, phone: string | null = null, extra = {}): PickerSupplier => ({
  id,
  code,
  name,
  phone,
  is_active: true,
  deleted_at: null,
  ...extra,
})

const kamau = s('k', 'SUP-001', 'Kamau Farm', '+254 700 000 001')
const wanjiru = s('w', 'SUP-002', 'Wanjiru Farm', '0711-222-333')
const otieno = s('o', 'OT-7', 'Otieno Estate', null)
const all = [kamau, wanjiru, otieno]
const ids = (list: { items: PickerSupplier[] }) => list.items.map((x) => x.id)

describe('supplierMatches', () => {
  it("searches core's list spec fields for suppliers (code, name, phone ...)", () => {
    expect(SUPPLIER_SEARCH_FIELDS).toBe(ENTITY_SPECS.supplier.list.search)
    expect(SUPPLIER_SEARCH_FIELDS).toEqual(expect.arrayContaining(['code', 'name', 'phone']))
  })

  it('matches part of a code, name or phone, ignoring case and surrounding spaces', () => {
    expect(supplierMatches(kamau, ' sup-00 ')).toBe(true)
    expect(supplierMatches(kamau, 'kamau')).toBe(true)
    expect(supplierMatches(kamau, 'FARM')).toBe(true)
    expect(supplierMatches(kamau, '700 000')).toBe(true)
    expect(supplierMatches(otieno, 'farm')).toBe(false)
    expect(supplierMatches(otieno, '')).toBe(true)
  })

  it('matches phone digits whatever the spacing, and a local 0 for the country code', () => {
    expect(supplierMatches(kamau, '700000')).toBe(true)
    expect(supplierMatches(kamau, '0700 000 001')).toBe(true)
    expect(supplierMatches(wanjiru, '711222')).toBe(true)
    expect(supplierMatches(wanjiru, '+254 711 222')).toBe(false) // stored without the country code
    expect(supplierMatches(kamau, '12')).toBe(false) // too few digits to mean a phone
    expect(supplierMatches(otieno, '0711')).toBe(false)
  })
})

describe('pickerSuppliers', () => {
  it('lists active, live suppliers by name when nothing is typed and nothing is recent', () => {
    const extra = [
      s('d', 'X-1', 'Aardvark', null, { deleted_at: '2024-01-01T00:00:00Z' }),
      s('i', 'X-2', 'Abel', null, { is_active: false }),
    ]
    expect(ids(pickerSuppliers([...all, ...extra], '', []))).toEqual(['k', 'o', 'w'])
  })

  it('keeps the current choice even when it is inactive', () => {
    const inactive = s('i', 'X-2', 'Abel', null, { is_active: false })
    expect(ids(pickerSuppliers([...all, inactive], '', [], 'i'))).toEqual(['i', 'k', 'o', 'w'])
  })

  it('puts recent suppliers first, most recent first, and says which are recent', () => {
    const list = pickerSuppliers(all, '', ['w', 'o'])
    expect(ids(list)).toEqual(['w', 'o', 'k'])
    expect([...list.recent]).toEqual(['w', 'o'])
    // A recent id no longer on the device is skipped.
    expect(ids(pickerSuppliers(all, '', ['gone', 'o']))).toEqual(['o', 'k', 'w'])
  })

  it('narrows by what is typed: an exact code first, then recent, then prefixes, then the rest by name', () => {
    expect(ids(pickerSuppliers(all, 'farm', []))).toEqual(['k', 'w'])
    expect(ids(pickerSuppliers(all, 'farm', ['w']))).toEqual(['w', 'k'])
    expect(ids(pickerSuppliers(all, 'sup-002', ['k']))).toEqual(['w'])
    const many = [s('a', 'A-1', 'Zed Kamau'), s('b', 'KAM', 'Yusuf'), s('c', 'C-1', 'Kamau Farm')]
    // "kam": the exact code KAM, then names and codes starting with it, then names containing it.
    expect(ids(pickerSuppliers(many, 'kam', []))).toEqual(['b', 'c', 'a'])
    expect(ids(pickerSuppliers(many, 'kam', ['a']))).toEqual(['b', 'a', 'c'])
  })

  it('finds a supplier by part of its phone', () => {
    expect(ids(pickerSuppliers(all, '0711 222', []))).toEqual(['w'])
  })

  it('lists at most `limit` and counts the rest', () => {
    const many = Array.from({ length: 60 }, (_, i) => s(`id${i}`, `C-${i}`, `Supplier ${String(i).padStart(2, '0')}`))
    const list = pickerSuppliers(many, '', [], undefined, 50)
    expect(list.items).toHaveLength(50)
    expect(list.more).toBe(10)
    expect(pickerSuppliers(many, 'supplier 5', []).items.map((x) => x.name)).toContain('Supplier 59')
  })
})

describe('rememberRecent', () => {
  it('puts the pick first without repeats, keeping at most RECENT_MAX', () => {
    expect(rememberRecent([], 'a')).toEqual(['a'])
    expect(rememberRecent(['a', 'b', 'c'], 'c')).toEqual(['c', 'a', 'b'])
    const full = Array.from({ length: RECENT_MAX }, (_, i) => `s${i}`)
    const next = rememberRecent(full, 'new')
    expect(next).toHaveLength(RECENT_MAX)
    expect(next[0]).toBe('new')
    expect(next).not.toContain(`s${RECENT_MAX - 1}`)
  })
})
