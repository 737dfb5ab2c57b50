import { afterAll, describe, expect, test } from 'vitest'
import { i18next } from '../i18n'
import { signOutPrompt } from './sign-out-prompt'

const OFFLINE_UNLOCK_OK = 'You can sign back in without signal on this device.'

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

describe('signOutPrompt in Kiswahili', () => {
  afterAll(() => i18next.changeLanguage('en'))

  test('counts the waiting changes and warns in Kiswahili, no English left', async () => {
    await i18next.changeLanguage('sw')
    const text = signOutPrompt({ unsynced: 2, online: true, canUnlockOffline: false }) as string
    expect(text).toContain('Mabadiliko 2 bado hayajasawazishwa')
    expect(text).toContain('Onyo:')
    expect(text).not.toMatch(/changes|Warning|Sign out/)
    expect(signOutPrompt({ unsynced: 1, online: false, canUnlockOffline: true })).toContain('Badiliko 1 bado')
  })
})
