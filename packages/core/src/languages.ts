/**
 * The languages TrackVault speaks: the web app's screens and the text messages
 * to suppliers (notifications.ts). One list, so a supplier's message language
 * is always one the app has words for.
 */
export const LANGUAGE_CODES = ['en', 'sw', 'si', 'ta'] as const
export type LanguageCode = (typeof LANGUAGE_CODES)[number]

export function isLanguageCode(code: string | null | undefined): code is LanguageCode {
  return (LANGUAGE_CODES as readonly (string | null | undefined)[]).includes(code)
}

/** The language of a BCP 47 locale ("sw-KE" -> sw), English when it is none we speak. */
export function languageOfLocale(locale: string): LanguageCode {
  const base = locale.toLowerCase().split('-')[0]
  return isLanguageCode(base) ? base : 'en'
}
