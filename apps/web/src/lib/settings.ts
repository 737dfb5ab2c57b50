/**
 * The business's settings on this device (the last sync brought them; the
 * defaults before the first) and the checks a form makes with them before
 * saving: core's rules (`todayIn`, `settingsErrors`), the ones the client and
 * the server keep too.
 *
 *   const settings = useBusinessSettings()
 *   const date = businessToday(settings)            // "2026-03-02" in Nairobi after 21:00 UTC
 *   const check = entryCheck('payment', fields, settings)
 *   check.fields.payment_date                       // "must not be after …"
 *   check.confirm                                   // "the amount is over 50000.00: confirm it"
 */
import { type BusinessSettings, DEFAULT_SETTINGS, settingsErrors, todayIn } from '@trackvault/core'
import { useSyncClient } from '@trackvault/react'
import { useEffect, useState } from 'react'
import { setBusinessTimeZone, setDisplayLocale } from './format'
import { confirmText, problemText } from './messages'

/** Fired on window when the settings on this device change outside a sync (an admin saved them here). */
export const SETTINGS_CHANGED = 'trackvault:settings-changed'

/** The business's settings, kept current across syncs. */
export function useBusinessSettings(): BusinessSettings {
  const client = useSyncClient()
  const [settings, setSettings] = useState<BusinessSettings>(DEFAULT_SETTINGS)
  useEffect(() => {
    let live = true
    const load = () =>
      void client.settings().then((s) => {
        setBusinessTimeZone(s.time_zone) // every screen's "today"
        setDisplayLocale({ businessLocale: s.locale }) // its region: how numbers and dates are written
        if (live) setSettings(s)
      })
    load()
    const stop = client.onSync(load)
    window.addEventListener(SETTINGS_CHANGED, load)
    return () => {
      live = false
      stop()
      window.removeEventListener(SETTINGS_CHANGED, load)
    }
  }, [client])
  return settings
}

/** Today in the business's time zone (YYYY-MM-DD): the date a new record gets. */
export function businessToday(settings: BusinessSettings, at?: Date): string {
  return todayIn(settings.time_zone, at)
}

export interface EntryCheck {
  /** Messages per field the person must fix (a date past today + the tolerance). */
  fields: Record<string, string>
  /** Set when a value is over the business's threshold: what to confirm before saving. */
  confirm: string | undefined
}

/** What the business's rules say of a collection's or payment's fields before saving (core settingsErrors). */
export function entryCheck(
  type: 'collection' | 'payment',
  fields: Record<string, unknown>,
  settings: BusinessSettings,
  at?: Date,
): EntryCheck {
  // A collection's threshold is on its net quantity, weighed by core from the fields (none without a quantity).
  const weighable = type === 'payment' || typeof fields.quantity === 'string'
  const input = { ...fields, ...(weighable ? {} : { net_quantity: null }), confirmed_large: false }
  const errors = settingsErrors(type, input, settings, at) ?? {}
  const { confirmed_large: large, ...rest } = errors
  return {
    fields: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v.map(problemText).join('; ')])),
    confirm: large?.join('; '),
  }
}

/**
 * Asks "Are you sure?" with the reasons given (a value over a threshold, a
 * payment beyond the balance owed); true if there are none or the person
 * confirms. Core's reasons ("the amount is over 50000.00: confirm it") are
 * said in the chosen language (lib/messages.ts `confirmText`).
 */
export function confirmBeforeSaving(...reasons: Array<string | undefined>): boolean {
  const said = reasons.filter((r): r is string => Boolean(r))
  if (said.length === 0) return true
  return window.confirm(confirmText(said))
}
