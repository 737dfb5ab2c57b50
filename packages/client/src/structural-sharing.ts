/**
 * TanStack Query's `replaceEqualDeep`: returns `prev` wherever `next` is
 * deeply equal to it, so a re-run query that found the same rows hands React
 * the same objects (no re-render, memoised rows stay memoised).
 *
 *   replaceEqualDeep([{ id: 'a' }], [{ id: 'a' }]) // the first array, unchanged
 */
export function replaceEqualDeep<T>(prev: unknown, next: T): T {
  if (prev === next) return prev as T
  const prevArray = Array.isArray(prev)
  const nextArray = Array.isArray(next)
  if (prevArray !== nextArray || !isPlain(prev) || !isPlain(next)) return next
  const prevObj = prev as Record<string, unknown>
  const nextObj = next as Record<string, unknown>
  const prevKeys = Object.keys(prevObj)
  const nextKeys = Object.keys(nextObj)
  const out = (nextArray ? [] : {}) as Record<string, unknown>
  let same = prevKeys.length === nextKeys.length
  for (const key of nextKeys) {
    const value = replaceEqualDeep(prevObj[key], nextObj[key])
    out[key] = value
    if (value !== prevObj[key] || !(key in prevObj)) same = false
  }
  return (same ? prev : out) as T
}

function isPlain(value: unknown): boolean {
  if (Array.isArray(value)) return true
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
