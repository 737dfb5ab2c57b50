/** The language picker: on the sign-in screen and in the top bar. The choice is kept on this device. */
import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import { chooseLanguage } from './index'
import { isLanguage, LANGUAGES } from './languages'

/** `compact`: the label is for screen readers only (the top bar, where the select's language names speak for it). */
export function LanguageSelect({ className, compact = false }: { className?: string; compact?: boolean }) {
  const { t, i18n } = useTranslation()
  const id = useId()
  return (
    <span className={className ?? 'language-select'}>
      <label htmlFor={id} className={compact ? 'sr-only' : undefined}>
        {t('common.language')}
      </label>{' '}
      <select
        id={id}
        value={i18n.resolvedLanguage ?? i18n.language}
        onChange={(e) => {
          if (isLanguage(e.target.value)) chooseLanguage(e.target.value)
        }}
      >
        {LANGUAGES.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </span>
  )
}
