/**
 * The banner on every screen when the server refused the session (401)
 * while changes wait: "Sign in again to send N changes", with the password
 * asked right there. Signing in again as the same user keeps the queue; it
 * syncs at once.
 */
import { useSyncStatus } from '@trackvault/react'
import { type FormEvent, useState } from 'react'
import { errorMessage } from '../lib/format'
import { useSession } from '../lib/session'
import './session-banner.css'

export function SessionBanner() {
  const status = useSyncStatus()
  const { user, login } = useSession()
  const [open, setOpen] = useState(false)
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  if (status.connection !== 'needs-auth' || !user) return null

  const n = status.pending
  const text =
    n > 0 ? `Sign in again to send ${n} change${n === 1 ? '' : 's'}.` : 'Your session has ended. Sign in again to sync.'

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
    <section className="session-banner" aria-label="Session expired">
      <p role="status">
        {text} <span className="session-banner-muted">They stay on this device until then.</span>
      </p>
      {open ? (
        <form onSubmit={submit} className="session-banner-form">
          <label>
            Password for {user.email}
            <input
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in and send'}
          </button>
          {error ? (
            <span className="session-banner-error" role="alert">
              {error}
            </span>
          ) : null}
        </form>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Sign in again
        </button>
      )}
    </section>
  )
}
