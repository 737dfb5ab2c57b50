/**
 * The languages the web app ships and which one a device uses: the one the
 * person picked on this device (localStorage, so it holds offline and across
 * reloads), else the browser's first supported language, else English.
 */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'sw', name: 'Kiswahili' },
  { code: 'si', name: 'සිංහල' },
  { code: 'ta', name: 'தமிழ்' },
] as const

export type Language = (typeof LANGUAGES)[number]['code']

/** Where this device keeps the person's choice. */
export const LANGUAGE_KEY = 'trackvault:language'

export function isLanguage(code: string | null | undefined): code is Language {
  return LANGUAGES.some((l) => l.code === code)
}

/** The language to start with: a stored choice, else the first browser language we ship ("sw-KE" -> sw), else en. */
export function pickLanguage(stored: string | null | undefined, browser: readonly string[]): Language {
  if (isLanguage(stored)) return stored
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0]
    if (isLanguage(base)) return base
  }
  return 'en'
}
