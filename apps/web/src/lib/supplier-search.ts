/**
 * What the supplier picker (components/supplier-picker.tsx) lists for what is
 * typed, and the recent suppliers it puts first. Pure, so it is tested
 * without a browser.
 *
 * A supplier matches when what is typed is part of one of the fields core's
 * list spec searches (`ENTITY_SPECS.supplier.list.search`: code, name,
 * phone, ...; case-insensitive, as the server's and the device's lists
 * search), or when its digits are part of the phone's digits: "0700 000"
 * finds "+254700000001" (spaces, dashes and a leading 0 for the country code
 * do not matter).
 *
 *   pickerSuppliers(suppliers, '0700', recent).items // matching, active suppliers, recent first
 *   rememberRecent(['a', 'b'], 'b') // ['b', 'a']
 */
import { ENTITY_SPECS } from '@trackvault/core'

/** The fields a supplier search looks in: core's list spec, the same as the server's and the device's lists. */
export const SUPPLIER_SEARCH_FIELDS: readonly string[] = ENTITY_SPECS.supplier.list.search

/** How many recent suppliers a user's device remembers. */
export const RECENT_MAX = 8

/** How many suppliers the picker lists at most; typing narrows the rest. */
export const PICKER_LIMIT = 50

/** The fields of a supplier the picker reads. */
export interface PickerSupplier {
  id: string
  code: string
  name: string
  phone?: string | null
  is_active?: boolean | null
  deleted_at?: string | null
}

const digitsOf = (text: string) => text.replace(/\D/g, '')

/** Typed text that looks like (part of) a phone number: digits with spaces, dashes, dots, brackets or a plus. */
const PHONE_LIKE = /^[\d\s+().-]+$/

/** Does `supplier` match `query` (trimmed, case-insensitive)? An empty query matches every supplier. */
export function supplierMatches(supplier: PickerSupplier, query: string): boolean {
  const needle = query.trim().toLowerCase()
  if (!needle) return true
  const row = supplier as unknown as Record<string, unknown>
  if (
    SUPPLIER_SEARCH_FIELDS.some((f) =>
      String(row[f] ?? '')
        .toLowerCase()
        .includes(needle),
    )
  )
    return true
  const digits = digitsOf(needle)
  if (digits.length < 3 || !PHONE_LIKE.test(needle) || !supplier.phone) return false
  const phone = digitsOf(supplier.phone)
  // A local number ("0700...") is the international one ("+254 700...") without its country code.
  return phone.includes(digits) || (digits.startsWith('0') && digits.length > 3 && phone.includes(digits.slice(1)))
}

/** How well `supplier` answers `query`: 0 its exact code, 1 a code or name that starts with it, 2 any other match. */
function rank(supplier: PickerSupplier, needle: string): number {
  if (!needle) return 2
  const code = supplier.code.toLowerCase()
  if (code === needle) return 0
  if (code.startsWith(needle) || supplier.name.toLowerCase().startsWith(needle)) return 1
  return 2
}

export interface PickerList<S extends PickerSupplier> {
  /** The suppliers to list, best first (at most `limit`). */
  items: S[]
  /** Ids of the listed suppliers that are among the recent ones. */
  recent: Set<string>
  /** How many more suppliers match than are listed. */
  more: number
}

/**
 * The suppliers the picker lists for `query`: live, active ones that match
 * (and `keep`, the current choice, even if inactive), ordered by an exact
 * code first, then the recent ones (most recent first), then codes and names
 * that start with what is typed, then by name.
 */
export function pickerSuppliers<S extends PickerSupplier>(
  suppliers: readonly S[],
  query: string,
  recentIds: readonly string[],
  keep?: string,
  limit = PICKER_LIMIT,
): PickerList<S> {
  const needle = query.trim().toLowerCase()
  const recentAt = new Map(recentIds.map((id, i) => [id, i]))
  const matching = suppliers.filter(
    (s) => !s.deleted_at && (s.is_active !== false || s.id === keep) && supplierMatches(s, needle),
  )
  const key = (s: S) => {
    const r = rank(s, needle)
    return [r === 0 ? 0 : 1, recentAt.get(s.id) ?? RECENT_MAX, r] as const
  }
  const keys = new Map(matching.map((s) => [s.id, key(s)]))
  const sorted = matching.sort((a, b) => {
    const [ka, kb] = [keys.get(a.id) as readonly number[], keys.get(b.id) as readonly number[]]
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i]
    return a.name.localeCompare(b.name) || a.code.localeCompare(b.code)
  })
  const items = sorted.slice(0, limit)
  return {
    items,
    recent: new Set(items.filter((s) => recentAt.has(s.id)).map((s) => s.id)),
    more: sorted.length - items.length,
  }
}

/** The recent list after `id` was picked: it first, no repeats, at most `max`. */
export function rememberRecent(recentIds: readonly string[], id: string, max = RECENT_MAX): string[] {
  return [id, ...recentIds.filter((r) => r !== id)].slice(0, max)
}
