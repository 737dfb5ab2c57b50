/**
 * The languages the web app ships and which one a device uses: the one the
 * person picked on this device (localStorage, so it holds offline and across
 * reloads), else the browser's first supported language, else English. The
 * codes are core's (`LANGUAGE_CODES`, also a supplier's message language), so
 * there is one list; this file adds each language's own name.
 */
import { isLanguageCode, LANGUAGE_CODES, type LanguageCode } from '@trackvault/core'

/** Each language in its own words (what the pickers show, whatever the screen's language). */
const NAMES: Record<LanguageCode, string> = {
  en: 'English',
  sw: 'Kiswahili',
  si: 'සිංහල',
  ta: 'தமிழ்',
}

export const LANGUAGES: ReadonlyArray<{ code: LanguageCode; name: string }> = LANGUAGE_CODES.map((code) => ({
  code,
  name: NAMES[code],
}))

export type Language = LanguageCode

/** A language's own name ("Kiswahili"). */
export const languageName = (code: LanguageCode): string => NAMES[code]

/** Where this device keeps the person's choice. */
export const LANGUAGE_KEY = 'trackvault:language'

export const isLanguage = isLanguageCode

/** The language to start with: a stored choice, else the first browser language we ship ("sw-KE" -> sw), else en. */
export function pickLanguage(stored: string | null | undefined, browser: readonly string[]): Language {
  if (isLanguage(stored)) return stored
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0]
    if (isLanguage(base)) return base
  }
  return 'en'
}
