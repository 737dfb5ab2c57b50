/**
 * What the sign-out prompt says, from what the device knows: changes not
 * yet synced, whether there is signal, and whether this user can sign in
 * again here without signal (the client's offline sign-in verifier), in the
 * chosen language (i18n/areas/admin.ts `signOut`). Null: sign out without
 * asking (online, nothing waiting).
 */
import i18next from 'i18next'

export interface SignOutFacts {
  unsynced: number
  online: boolean
  canUnlockOffline: boolean
}

const say = (key: string, params?: Record<string, unknown>) => i18next.t(`signOut.${key}`, params)

export function signOutPrompt({ unsynced, online, canUnlockOffline }: SignOutFacts): string | null {
  const waiting = unsynced > 0 ? say('waiting', { count: unsynced }) : ''
  if (canUnlockOffline) {
    if (unsynced === 0 && online) return null
    return [waiting, say('offlineUnlockOk'), say('confirm')].filter(Boolean).join(' ')
  }
  if (unsynced === 0 && online) return null
  const locked = online ? say('lockedOnline') : say('lockedOffline')
  return [waiting, locked, say('confirmAnyway')].filter(Boolean).join(' ')
}
