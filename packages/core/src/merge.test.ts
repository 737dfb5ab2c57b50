import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { changedFields, type FieldValues, jsonEqual, threeWayMerge } from './merge'

describe('jsonEqual', () => {
  it.each([
    [1, 1],
    ['a', 'a'],
    [null, null],
    [true, true],
    [
      [1, [2, { a: 3 }]],
      [1, [2, { a: 3 }]],
    ],
    [
      { a: 1, b: { c: [1, 2] } },
      { b: { c: [1, 2] }, a: 1 },
    ], // key order does not matter
    [{}, {}],
    [[], []],
  ])('%j equals %j', (a, b) => {
    expect(jsonEqual(a, b)).toBe(true)
    expect(jsonEqual(b, a)).toBe(true)
  })

  it.each([
    [1, 2],
    [1, '1'],
    ['6060.00', '6060.0'],
    [null, undefined],
    [null, 0],
    [null, {}],
    [0, false],
    ['', false],
    [
      [1, 2],
      [2, 1],
    ],
    [
      [1, 2],
      [1, 2, 3],
    ],
    [[], {}],
    [[1], { 0: 1 }],
    [{ a: 1 }, { a: 1, b: 2 }],
    [{ a: 1 }, { b: 1 }],
    [{ a: { b: 1 } }, { a: { b: 2 } }],
    [{ a: null }, {}],
  ])('%j differs from %j', (a, b) => {
    expect(jsonEqual(a, b)).toBe(false)
    expect(jsonEqual(b, a)).toBe(false)
  })

  it('does not treat a key holding undefined as matching a different key', () => {
    // Same number of keys, but different key sets.
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1, c: 2 })).toBe(false)
    expect(jsonEqual({ a: 1, c: 2 }, { a: 1, b: undefined })).toBe(false)
    expect(jsonEqual({ x: undefined }, { y: undefined })).toBe(false)
  })

  const jsonArb = fc.jsonValue({ maxDepth: 3 })

  it('is reflexive on a deep copy and symmetric (property)', () => {
    fc.assert(
      fc.property(jsonArb, jsonArb, (a, b) => {
        expect(jsonEqual(a, structuredClone(a))).toBe(true)
        expect(jsonEqual(a, b)).toBe(jsonEqual(b, a))
      }),
    )
  })

  it('agrees with comparing canonical JSON text (property)', () => {
    const canonical = (v: unknown): string =>
      JSON.stringify(v, (_k, value) =>
        value && typeof value === 'object' && !Array.isArray(value)
          ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
          : value,
      )
    fc.assert(
      fc.property(jsonArb, jsonArb, (a, b) => {
        // -0 and 0 are the same JSON number text but not ===; skip that corner.
        fc.pre(!JSON.stringify([a, b]).includes('-0'))
        expect(jsonEqual(a, b)).toBe(canonical(a) === canonical(b))
      }),
      { numRuns: 500 },
    )
  })
})

describe('changedFields', () => {
  it('lists the fields, among those asked, whose values differ', () => {
    const before = { a: 1, b: { x: 1 }, c: 'same', d: null }
    const after = { a: 2, b: { x: 1 }, c: 'same', d: 'set' }
    expect(changedFields(before, after, ['a', 'b', 'c', 'd'])).toEqual(['a', 'd'])
    expect(changedFields(before, after, ['b', 'c'])).toEqual([])
    expect(changedFields(before, after, ['d', 'a'])).toEqual(['d', 'a']) // in the order asked
    expect(changedFields({}, { e: 1 }, ['e'])).toEqual(['e'])
  })
})

describe('threeWayMerge', () => {
  const base = { name: 'A', phone: '1', email: 'a@x', address: null }

  it('merges disjoint changes: client field wins, server changes kept', () => {
    const server = { ...base, phone: '2' }
    const result = threeWayMerge(base, server, { name: 'B' })
    expect(result).toEqual({ ok: true, merged: { ...base, name: 'B', phone: '2' }, serverChanged: ['phone'] })
  })

  it('is the documented example', () => {
    expect(threeWayMerge({ name: 'A', phone: '1' }, { name: 'A', phone: '2' }, { name: 'B' })).toEqual({
      ok: true,
      merged: { name: 'B', phone: '2' },
      serverChanged: ['phone'],
    })
  })

  it('applies the delta directly when the server has not changed since base', () => {
    const result = threeWayMerge(base, { ...base }, { name: 'B', address: 'Main St' })
    expect(result).toEqual({ ok: true, merged: { ...base, name: 'B', address: 'Main St' }, serverChanged: [] })
  })

  it('is a conflict when both changed the same field to different values', () => {
    const server = { ...base, name: 'S', phone: '2' }
    expect(threeWayMerge(base, server, { name: 'C' })).toEqual({ ok: false, fields: ['name'] })
  })

  it('lists every conflicting field, and only those', () => {
    const server = { ...base, name: 'S', phone: '2', email: 'e@x' }
    const result = threeWayMerge(base, server, { name: 'C', phone: '3', address: 'new', email: 'e@x' })
    expect(result).toEqual({ ok: false, fields: ['name', 'phone'] })
  })

  it('is not a conflict when both sides made the same change', () => {
    const server = { ...base, name: 'Same', phone: '2' }
    const result = threeWayMerge(base, server, { name: 'Same' })
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect(result.merged).toEqual(server)
      expect(result.serverChanged).toEqual(['name', 'phone'])
    }
  })

  it('compares structurally, not by reference', () => {
    const b = { meta: { tags: ['x'] } }
    const s = { meta: { tags: ['x', 'y'] } }
    expect(threeWayMerge(b, s, { meta: { tags: ['x', 'y'] } }).ok).toBe(true)
    expect(threeWayMerge(b, s, { meta: { tags: ['y'] } })).toEqual({ ok: false, fields: ['meta'] })
    expect(threeWayMerge(b, { meta: { tags: ['x'] } }, { meta: { tags: ['z'] } }).ok).toBe(true)
  })

  it('setting a field to null is a change like any other', () => {
    expect(threeWayMerge({ a: 'x' }, { a: null }, { a: 'y' })).toEqual({ ok: false, fields: ['a'] })
    expect(threeWayMerge({ a: 'x' }, { a: null }, { a: null }).ok).toBe(true)
  })

  it('a field the server added since base conflicts unless the client agrees', () => {
    expect(threeWayMerge({}, { a: 1 }, { a: 2 })).toEqual({ ok: false, fields: ['a'] })
    expect(threeWayMerge({}, { a: 1 }, { a: 1 }).ok).toBe(true)
  })

  it('an empty delta always merges to the server version', () => {
    const server = { ...base, name: 'S' }
    expect(threeWayMerge(base, server, {})).toEqual({ ok: true, merged: server, serverChanged: ['name'] })
  })

  it('does not mutate its inputs', () => {
    const b = { a: 1, n: { x: 1 } }
    const s = { a: 2, n: { x: 1 } }
    const c = { n: { x: 2 } }
    const snapshot = structuredClone([b, s, c])
    threeWayMerge(b, s, c)
    expect([b, s, c]).toEqual(snapshot)
  })

  // Small key and value spaces so that collisions (same field, same value) are frequent.
  const keyArb = fc.constantFrom('a', 'b', 'c', 'd')
  const valueArb = fc.oneof(fc.constantFrom(1, 2, 'x', null), fc.constant({ n: [1] }), fc.constant({ n: [2] }))
  const recordArb = fc.dictionary(keyArb, valueArb) as fc.Arbitrary<FieldValues>

  it('conflicts are exactly the client fields the server changed to something else (property)', () => {
    fc.assert(
      fc.property(recordArb, recordArb, recordArb, (b, s, c) => {
        const result = threeWayMerge(b, s, c)
        const expected = Object.keys(c).filter(
          (f) => JSON.stringify(b[f]) !== JSON.stringify(s[f]) && JSON.stringify(s[f]) !== JSON.stringify(c[f]),
        )
        if (expected.length > 0) {
          expect(result).toEqual({ ok: false, fields: expected })
        } else {
          expect(result.ok).toBe(true)
          if (result.ok) {
            expect(result.merged).toEqual({ ...s, ...c })
            for (const f of Object.keys(c)) expect(result.merged[f]).toEqual(c[f])
          }
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('disjoint field changes always merge (property)', () => {
    fc.assert(
      fc.property(recordArb, recordArb, recordArb, (b, serverEdits, clientEdits) => {
        const clientKeys = Object.keys(clientEdits)
        const server = { ...b }
        for (const [k, v] of Object.entries(serverEdits)) if (!clientKeys.includes(k)) server[k] = v
        const result = threeWayMerge(b, server, clientEdits)
        expect(result.ok).toBe(true)
      }),
    )
  })

  it('is deterministic, and the outcome does not depend on key order (property)', () => {
    const reversed = (r: FieldValues) => Object.fromEntries(Object.entries(r).reverse())
    fc.assert(
      fc.property(recordArb, recordArb, recordArb, (b, s, c) => {
        const first = threeWayMerge(b, s, c)
        expect(threeWayMerge(structuredClone(b), structuredClone(s), structuredClone(c))).toEqual(first)
        const shuffled = threeWayMerge(reversed(b), reversed(s), reversed(c))
        expect(shuffled.ok).toBe(first.ok)
        if (first.ok && shuffled.ok) {
          expect(shuffled.merged).toEqual(first.merged)
          expect([...shuffled.serverChanged].sort()).toEqual([...first.serverChanged].sort())
        } else if (!first.ok && !shuffled.ok) {
          expect([...shuffled.fields].sort()).toEqual([...first.fields].sort())
        }
      }),
      { numRuns: 500 },
    )
  })

  it('merging the merged result again with the same delta is a no-op (property)', () => {
    fc.assert(
      fc.property(recordArb, recordArb, recordArb, (b, s, c) => {
        const first = threeWayMerge(b, s, c)
        fc.pre(first.ok)
        if (!first.ok) return
        // The server now holds the merge; a replay of the same delta based on it changes nothing.
        const again = threeWayMerge(first.merged, first.merged, c)
        expect(again).toEqual({ ok: true, merged: first.merged, serverChanged: [] })
      }),
    )
  })
})
