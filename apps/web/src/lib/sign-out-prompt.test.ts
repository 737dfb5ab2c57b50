import { describe, expect, test } from 'vitest'
import { OFFLINE_UNLOCK_OK, signOutPrompt } from './sign-out-prompt'

describe('signOutPrompt', () => {
  test('online with nothing waiting: no prompt', () => {
    expect(signOutPrompt({ unsynced: 0, online: true, canUnlockOffline: true })).toBeNull()
    expect(signOutPrompt({ unsynced: 0, online: true, canUnlockOffline: false })).toBeNull()
  })

  test('says offline sign-in will work when the device has a verifier', () => {
    const text = signOutPrompt({ unsynced: 2, online: false, canUnlockOffline: true })
    expect(text).toContain('2 changes are not synced yet')
    expect(text).toContain(OFFLINE_UNLOCK_OK)
    expect(text).not.toContain('Warning')
    expect(signOutPrompt({ unsynced: 0, online: false, canUnlockOffline: true })).toBe(`${OFFLINE_UNLOCK_OK} Sign out?`)
  })

  test('warns when changes wait and there is no verifier', () => {
    const text = signOutPrompt({ unsynced: 1, online: true, canUnlockOffline: false })
    expect(text).toContain('1 change is not synced yet')
    expect(text).toContain('Warning: signing in again on this device without signal will not be possible.')
    expect(text).not.toContain(OFFLINE_UNLOCK_OK)
    expect(signOutPrompt({ unsynced: 0, online: false, canUnlockOffline: false })).toContain('needs signal')
  })
})
