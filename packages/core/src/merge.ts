/**
 * Three-way field merge, the heart of conflict detection.
 *
 * Given the version a client edited (`base`), the server's current version
 * (`server`) and the fields the client changed (`client`, a delta), the
 * merge succeeds when no field the client changed was also changed on the
 * server since `base`. The outcome depends only on these three values, never
 * on clocks, so every replica decides the same way.
 *
 * @example
 * threeWayMerge({ name: 'A', phone: '1' }, { name: 'A', phone: '2' }, { name: 'B' })
 * // => { ok: true, merged: { name: 'B', phone: '2' } }
 */
export type FieldValues = Record<string, unknown>

export type MergeResult = { ok: true; merged: FieldValues; serverChanged: string[] } | { ok: false; fields: string[] }

/** Structural equality for JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a as object)
  const kb = Object.keys(b as object)
  if (ka.length !== kb.length) return false
  return ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as FieldValues)[k], (b as FieldValues)[k]))
}

/** Fields whose values differ between two versions, among `fields`. */
export function changedFields(before: FieldValues, after: FieldValues, fields: Iterable<string>): string[] {
  const out: string[] = []
  for (const f of fields) if (!jsonEqual(before[f], after[f])) out.push(f)
  return out
}

/**
 * Merges a client's delta onto the server's version. A field the client set
 * to the value the server already has is not a conflict.
 */
export function threeWayMerge(base: FieldValues, server: FieldValues, client: FieldValues): MergeResult {
  const conflicting: string[] = []
  for (const field of Object.keys(client)) {
    const serverChanged = !jsonEqual(base[field], server[field])
    if (serverChanged && !jsonEqual(server[field], client[field])) conflicting.push(field)
  }
  if (conflicting.length > 0) return { ok: false, fields: conflicting }
  const serverChanged = changedFields(base, server, Object.keys(server))
  return { ok: true, merged: { ...server, ...client }, serverChanged }
}
