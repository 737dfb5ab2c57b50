/** Client-side paging of an already filtered, sorted list. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size))
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages)
  return { rows: rows.slice((current - 1) * size, current * size), page: current, pages }
}
