/**
 * i18next for the web app: the four languages' resources bundled (they are
 * small, and the app must open offline), the device's language
 * (./languages.ts), and on every change: remember it on the device, set
 * `<html lang>`, and tell lib/format.ts, which formats numbers, money and
 * dates for it. Screens read texts with react-i18next's `useTranslation()`.
 */
import i18next from 'i18next'
import { initReactI18next } from 'react-i18next'
import { setDisplayLocale } from '../lib/format'
import { en } from './en'
import { LANGUAGE_KEY, type Language, pickLanguage } from './languages'
import { si } from './si'
import { sw } from './sw'
import { ta } from './ta'

export const resources = { en, sw, si, ta } as const

function storedLanguage(): string | null {
  try {
    return globalThis.localStorage?.getItem(LANGUAGE_KEY) ?? null
  } catch {
    return null
  }
}

function applyLanguage(lng: string): void {
  setDisplayLocale({ language: lng })
  if (typeof document !== 'undefined') document.documentElement.lang = lng
}

const initial = pickLanguage(storedLanguage(), globalThis.navigator?.languages ?? [])
applyLanguage(initial)
// Before react-i18next re-renders the screens, so they format with the new locale.
i18next.on('languageChanged', applyLanguage)

void i18next.use(initReactI18next).init({
  resources: Object.fromEntries(Object.entries(resources).map(([code, r]) => [code, { translation: r }])),
  lng: initial,
  fallbackLng: 'en',
  supportedLngs: Object.keys(resources),
  interpolation: { escapeValue: false }, // React escapes
  initAsync: false, // resources are bundled: ready before the first render
})

/** The person picks a language: used at once, and kept on this device. */
export function chooseLanguage(lng: Language): void {
  try {
    globalThis.localStorage?.setItem(LANGUAGE_KEY, lng)
  } catch {}
  void i18next.changeLanguage(lng)
}

export { i18next }
