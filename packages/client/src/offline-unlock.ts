/**
 * Signing in again without signal. After an online sign-in the device keeps,
 * per user, a verifier of the password: PBKDF2-SHA-256 through WebCrypto,
 * a random salt per user and many iterations, never the password itself.
 * Wrong guesses are counted in the same stored record before the hash runs
 * (guesses made at once are each counted, a reload resets nothing): five
 * wrong in a row lock it for 30 s, each further one doubles the wait. None
 * of this is ever sent to the server; session.ts uses it.
 */
import type { Session } from './http'

/** OWASP's 2021 figure for PBKDF2-HMAC-SHA-256; stored with each verifier so it can be raised later. */
export const UNLOCK_ITERATIONS = 310_000
/** Verifiers weaker than this are never made (tests too). */
export const MIN_UNLOCK_ITERATIONS = 100_000
/** Wrong guesses allowed before the first wait. */
export const FREE_GUESSES = 4
const FIRST_WAIT_MS = 30_000
const MAX_WAIT_MS = 60 * 60_000

export interface PasswordVerifier {
  algorithm: 'PBKDF2-SHA-256'
  iterations: number
  /** Hex, 16 random bytes. */
  salt: string
  /** Hex, 32 bytes. */
  hash: string
}

/** What the device keeps for a user who may sign in again offline (key `unlockKey(user id)`). */
export interface UnlockRecord {
  /** Lower-cased, trimmed: what the sign-in form is matched on. */
  email: string
  /** The session as the last online sign-in gave it, without its token. */
  session: Omit<Session, 'token' | 'expires_at'>
  verifier: PasswordVerifier
  /** A token that signing out could not revoke (no signal): an offline sign-in resumes it. */
  parked?: { token: string; expires_at: string }
  /** Wrong guesses in a row (counted before the hash runs). */
  failures: number
  /** Epoch ms before which no guess is checked. */
  lockedUntil: number
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase()

/** How long to wait after `failures` wrong guesses in a row: none for the first four, then 30 s doubling, at most 1 h. */
export function lockoutMs(failures: number): number {
  if (failures <= FREE_GUESSES) return 0
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (failures - FREE_GUESSES - 1))
}

function subtle(): SubtleCrypto | undefined {
  // Browsers give it only in secure contexts (HTTPS, localhost); Node 20 always; React Native not by default.
  return globalThis.crypto?.subtle
}

/** Whether this platform can make a verifier (WebCrypto). Without it, offline sign-in is simply unavailable. */
export function canMakeVerifier(): boolean {
  return subtle() !== undefined
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const fromHex = (hex: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16))

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const crypto = subtle()
  if (!crypto) throw new Error('WebCrypto is not available')
  const key = await crypto.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256)
  return new Uint8Array(bits)
}

/** A new verifier of `password` with a fresh random salt; undefined where WebCrypto is missing. */
export async function makeVerifier(
  password: string,
  iterations = UNLOCK_ITERATIONS,
): Promise<PasswordVerifier | undefined> {
  if (!canMakeVerifier()) return undefined
  if (iterations < MIN_UNLOCK_ITERATIONS) throw new Error(`at least ${MIN_UNLOCK_ITERATIONS} iterations`)
  const salt = globalThis.crypto.getRandomValues(new Uint8Array(16))
  const hash = await derive(password, salt, iterations)
  return { algorithm: 'PBKDF2-SHA-256', iterations, salt: toHex(salt), hash: toHex(hash) }
}

/** Whether `password` matches the verifier (constant-time comparison of the derived bytes). */
export async function checkVerifier(verifier: PasswordVerifier, password: string): Promise<boolean> {
  if (verifier.algorithm !== 'PBKDF2-SHA-256' || verifier.iterations < MIN_UNLOCK_ITERATIONS) return false
  const expected = fromHex(verifier.hash)
  const actual = await derive(password, fromHex(verifier.salt), verifier.iterations)
  let diff = expected.length ^ actual.length
  for (let i = 0; i < expected.length; i++) diff |= expected[i] ^ (actual[i] ?? 0)
  return diff === 0
}
