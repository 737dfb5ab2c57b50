/**
 * Which database a `DATABASE_URL` names, and how to show it without its
 * password. The one home of the accepted schemes: configuration validates
 * with it and `openDatabase` opens with it, so a typo is an error, never a
 * silent fall back to SQLite.
 */

/** The schemes that select PostgreSQL. */
export const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'] as const

/** Why `url` is not a PostgreSQL connection URL, or undefined if it is one. */
export function postgresUrlProblem(url: string): string | undefined {
  if (url.trim() === '') return 'is empty: unset it to use SQLite (TRACKVAULT_DB), or give postgres://user@host/db'
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1]?.toLowerCase()
  if (!scheme || !(POSTGRES_SCHEMES as readonly string[]).includes(scheme)) {
    return `unknown scheme ${scheme ? `'${scheme.slice(0, -1)}'` : '(none)'}: use postgres:// or postgresql:// (unset it to use SQLite at TRACKVAULT_DB)`
  }
  try {
    new URL(url)
  } catch {
    return 'is not a valid URL (characters such as @ : / # in the password must be percent-encoded)'
  }
  return undefined
}

/** `url` with its password replaced by `***` (for output; never print a configured secret). */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparsable URL)'
  }
}
