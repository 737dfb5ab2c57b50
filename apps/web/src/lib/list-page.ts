/**
 * Filters of the collection and payment lists, kept in the URL (so Back and
 * reload keep them). Paging is `pageOf` (./paging).
 */
import { useCallback } from 'react'
import { useSearchParams } from 'react-router'
import { daysAgo, today } from './format'

/**
 * Filters in the query string with defaults. Setting a filter goes back to
 * page 1; a value equal to its default is dropped from the URL.
 */
export function useUrlFilters<K extends string>(defaults: Record<K, string>) {
  const [params, setParams] = useSearchParams()
  const values = Object.fromEntries(
    (Object.keys(defaults) as K[]).map((k) => [k, params.get(k) ?? defaults[k]]),
  ) as Record<K, string>
  const page = Number(params.get('page') ?? '1') || 1
  const key = JSON.stringify(defaults)
  const set = useCallback(
    (patch: Partial<Record<K | 'page', string>>) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev)
          if (!('page' in patch)) next.delete('page')
          for (const [k, v] of Object.entries(patch) as Array<[K | 'page', string | undefined]>) {
            const fallback = k === 'page' ? '1' : defaults[k as K]
            if (v === undefined || v === fallback) next.delete(k)
            else next.set(k, v)
          }
          return next
        },
        { replace: true },
      )
    },
    [key, setParams],
  )
  return { values, page, set }
}

/**
 * The filters every record list has, a date range (the last 7 days by
 * default) and a supplier, plus `extra`; `listFilter` is the first three as
 * the client's list filter.
 */
export function useRecordFilters<K extends string>(extra: Record<K, string>) {
  const filters = useUrlFilters<K | 'from' | 'to' | 'supplier_id'>({
    from: daysAgo(6),
    to: today(),
    supplier_id: '',
    ...extra,
  })
  const { from, to, supplier_id } = filters.values
  return {
    ...filters,
    listFilter: { from_date: from || undefined, to_date: to || undefined, supplier_id: supplier_id || undefined },
  }
}
