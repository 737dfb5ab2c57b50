/**
 * A group of screens keeps its texts in one file of `areas/`, all four
 * languages side by side; en.ts, sw.ts, si.ts and ta.ts spread them in.
 * `area()` makes TypeScript refuse a language that lacks a key of English.
 */

/** The same keys as `T` (namespace, then key), each a string. */
export type Shape<T> = { [K in keyof T]: { [L in keyof T[K]]: string } }

export function area<E extends Record<string, Record<string, string>>>(
  en: E,
  drafts: { sw: Shape<E>; si: Shape<E>; ta: Shape<E> },
): { en: E; sw: Shape<E>; si: Shape<E>; ta: Shape<E> } {
  return { en, ...drafts }
}
