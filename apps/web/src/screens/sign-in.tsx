/**
 * The sign-in screen. Without signal it offers the device's offline sign-in
 * (the password of the last online sign-in here; the client checks it and
 * throttles wrong guesses), and says what happens to the changes.
 */
import { useSyncStatus } from '@trackvault/react'
import { type FormEvent, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Field, FormError } from '../components/ui'
import { LanguageSelect } from '../i18n/language-select'
import { errorMessage } from '../lib/format'
import { useSession } from '../lib/session'

export function SignIn() {
  const { t } = useTranslation()
  const { login } = useSession()
  const { online } = useSyncStatus()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await login(email, password)
    } catch (err) {
      // Offline refusals say why (not set up on this device, wrong password, wait N s).
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="signin">
      <form onSubmit={submit} aria-labelledby="signin-title" className="card">
        <LanguageSelect className="signin-language" />
        <h1 id="signin-title">{t('signIn.title')}</h1>
        {online ? null : (
          <p className="signin-offline" role="status">
            {t('signIn.offline')}
          </p>
        )}
        <Field
          label={t('signIn.email')}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label={t('signIn.password')}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <FormError message={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('signIn.signingIn') : online ? t('signIn.signIn') : t('signIn.signInOffline')}
        </button>
      </form>
    </main>
  )
}
