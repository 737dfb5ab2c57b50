/**
 * The banner on every screen when the server refused the session (401)
 * while changes wait: "Sign in again to send N changes", with the password
 * asked right there. Signing in again as the same user keeps the queue; it
 * syncs at once.
 */
import { useSyncStatus } from '@trackvault/react'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage } from '../lib/format'
import { useSession } from '../lib/session'
import './session-banner.css'

export function SessionBanner() {
  const { t } = useTranslation()
  const status = useSyncStatus()
  const { user, login } = useSession()
  const [open, setOpen] = useState(false)
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  if (status.connection !== 'needs-auth' || !user) return null

  const n = status.pending
  const text = n > 0 ? t('sessionBanner.send', { count: n }) : t('sessionBanner.ended')

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await login(user.email, password)
      setPassword('')
      setOpen(false)
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="session-banner" aria-label={t('sessionBanner.label')}>
      <p role="status">
        {text} <span className="session-banner-muted">{t('sessionBanner.kept')}</span>
      </p>
      {open ? (
        <form onSubmit={submit} className="session-banner-form">
          <label>
            {t('sessionBanner.password', { email: user.email })}
            <input
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('signIn.signingIn') : t('sessionBanner.signInSend')}
          </button>
          {error ? (
            <span className="session-banner-error" role="alert">
              {error}
            </span>
          ) : null}
        </form>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          {t('sessionBanner.signInAgain')}
        </button>
      )}
    </section>
  )
}
