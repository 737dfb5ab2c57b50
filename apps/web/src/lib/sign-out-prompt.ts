/**
 * What the sign-out prompt says, from what the device knows: changes not
 * yet synced, whether there is signal, and whether this user can sign in
 * again here without signal (the client's offline sign-in verifier). Null:
 * sign out without asking (online, nothing waiting).
 */
export interface SignOutFacts {
  unsynced: number
  online: boolean
  canUnlockOffline: boolean
}

export const OFFLINE_UNLOCK_OK = 'You can sign back in without signal on this device.'

export function signOutPrompt({ unsynced, online, canUnlockOffline }: SignOutFacts): string | null {
  const waiting =
    unsynced > 0
      ? `${unsynced} change${unsynced === 1 ? ' is' : 's are'} not synced yet. They stay on this device and sync when you sign in again.`
      : ''
  if (canUnlockOffline) {
    if (unsynced === 0 && online) return null
    return [waiting, OFFLINE_UNLOCK_OK, 'Sign out?'].filter(Boolean).join(' ')
  }
  if (unsynced === 0 && online) return null
  const locked = online
    ? 'Warning: signing in again on this device without signal will not be possible.'
    : 'Warning: there is no signal, and signing in again on this device needs signal.'
  return [waiting, locked, 'Sign out anyway?'].filter(Boolean).join(' ')
}
