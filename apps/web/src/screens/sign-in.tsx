/**
 * The sign-in screen. Without signal it offers the device's offline sign-in
 * (the password of the last online sign-in here; the client checks it and
 * throttles wrong guesses), and says what happens to the changes.
 */
import { useSyncStatus } from '@trackvault/react'
import { type FormEvent, useState } from 'react'
import { Field, FormError } from '../components/ui'
import { errorMessage } from '../lib/format'
import { useSession } from '../lib/session'

export function SignIn() {
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
        <h1 id="signin-title">Sign in to TrackVault</h1>
        {online ? null : (
          <p className="signin-offline" role="status">
            No signal. If you have signed in on this device before, sign in with the same password: your work stays here
            and syncs when there is signal.
          </p>
        )}
        <Field
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <Field
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <FormError message={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : online ? 'Sign in' : 'Sign in on this device'}
        </button>
      </form>
    </main>
  )
}
