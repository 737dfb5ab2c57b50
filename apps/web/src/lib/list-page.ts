/**
 * Helpers for the collection and payment lists: client-side paging and
 * filters kept in the URL (so Back and reload keep them).
 */
import { useCallback } from 'react'
import { useSearchParams } from 'react-router'

/** One page of `rows` (pages count from 1; out-of-range pages are clamped). */
export function slicePage<T>(
  rows: readonly T[],
  page: number,
  size: number,
): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size))
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages)
  return { rows: rows.slice((current - 1) * size, current * size), page: current, pages }
}

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
