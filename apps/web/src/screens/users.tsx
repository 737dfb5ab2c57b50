/**
 * User administration (admins only). Users do not sync: every action here
 * is an online request, so the screen says "Needs a connection" offline.
 */
import { ROLES, type Role, type User } from '@trackvault/core'
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react'
import { Empty, Field, FormError, Page, SelectField } from '../components/ui'
import { errorMessage, fieldErrors, isOffline } from '../lib/format'
import { useSession } from '../lib/session'
import { useToast } from '../lib/toast'
import './users.css'

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: r.charAt(0).toUpperCase() + r.slice(1) }))

function NeedsConnection() {
  return (
    <div className="card users-offline" role="status">
      <h2>Needs a connection</h2>
      <p>User administration happens on the server. Connect to the network to list, add or change users.</p>
    </div>
  )
}

export function Users() {
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const [users, setUsers] = useState<User[]>()
  const [loadError, setLoadError] = useState<string>()
  const [unreachable, setUnreachable] = useState(false)

  const load = useCallback(async () => {
    setLoadError(undefined)
    try {
      const res = await client.request<{ data: User[] }>('GET', '/api/users')
      setUsers(res.data)
      setUnreachable(false)
    } catch (err) {
      if (isOffline(err)) setUnreachable(true)
      else setLoadError(errorMessage(err))
    }
  }, [client])

  useEffect(() => {
    if (online) void load()
  }, [online, load])

  const replace = (user: User) => setUsers((list) => list?.map((u) => (u.id === user.id ? user : u)))

  if (!online || unreachable) {
    return (
      <Page
        title="Users"
        actions={
          online ? (
            <button type="button" onClick={() => void load()}>
              Try again
            </button>
          ) : undefined
        }
      >
        <NeedsConnection />
      </Page>
    )
  }

  return (
    <Page title="Users">
      <CreateUser
        onCreated={(user) => setUsers((list) => [...(list ?? []), user].sort((a, b) => a.name.localeCompare(b.name)))}
      />
      <section aria-labelledby="users-list-title" className="users-list">
        <h2 id="users-list-title">All users</h2>
        <FormError message={loadError} />
        {users === undefined ? (
          loadError ? null : (
            <p aria-live="polite">Loading…</p>
          )
        ) : users.length === 0 ? (
          <Empty>No users.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="users-table">
              <caption className="sr-only">Users</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="user-email">
                    Email
                  </th>
                  <th scope="col">Role</th>
                  <th scope="col" className="user-status">
                    Status
                  </th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <UserRow key={u.id} user={u} onChange={replace} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Page>
  )
}

function CreateUser({ onCreated }: { onCreated: (user: User) => void }) {
  const client = useSyncClient()
  const toast = useToast()
  const empty = { name: '', email: '', password: '', role: 'collector' as Role }
  const [form, setForm] = useState(empty)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  const set = (key: keyof typeof empty) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [key]: e.target.value }))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setErrors({})
    setError(undefined)
    try {
      const user = await client.request<User>('POST', '/api/users', form)
      onCreated(user)
      setForm(empty)
      toast(`User ${user.name} created`, 'success')
    } catch (err) {
      const fields = fieldErrors(err)
      setErrors(fields)
      const code = (err as { code?: string }).code
      if (isOffline(err)) setError('Needs a connection: the user was not created.')
      else if (code === 'DUPLICATE') setError('A user with this email already exists.')
      else if (code === 'VALIDATION_FAILED' && Object.keys(fields).length > 0) setError('Please correct the fields.')
      else setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card users-create" onSubmit={submit} aria-labelledby="create-user-title" noValidate>
      <h2 id="create-user-title">Add a user</h2>
      <Field label="Name" required autoComplete="off" value={form.name} onChange={set('name')} error={errors.name} />
      <Field
        label="Email"
        type="email"
        required
        autoComplete="off"
        value={form.email}
        onChange={set('email')}
        error={errors.email}
      />
      <Field
        label="Password"
        type="password"
        required
        minLength={8}
        autoComplete="new-password"
        hint="At least 8 characters."
        value={form.password}
        onChange={set('password')}
        error={errors.password}
      />
      <SelectField label="Role" options={ROLE_OPTIONS} value={form.role} onChange={set('role')} error={errors.role} />
      <FormError message={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create user'}
      </button>
    </form>
  )
}

function UserRow({ user, onChange }: { user: User; onChange: (user: User) => void }) {
  const client = useSyncClient()
  const toast = useToast()
  const { user: me } = useSession()
  const id = useId()
  const self = me?.id === user.id
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const [resetting, setResetting] = useState(false)
  const [password, setPassword] = useState('')
  const [passwordError, setPasswordError] = useState<string>()

  const patch = async (body: Partial<Pick<User, 'role' | 'is_active'>>, done: string) => {
    setBusy(true)
    setError(undefined)
    try {
      onChange(await client.request<User>('PATCH', `/api/users/${user.id}`, body))
      toast(done, 'success')
    } catch (err) {
      setError(isOffline(err) ? 'Needs a connection.' : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const toggleActive = () => {
    if (user.is_active && !window.confirm(`Deactivate ${user.name}? They are signed out on every device.`)) return
    void patch({ is_active: !user.is_active }, `${user.name} ${user.is_active ? 'deactivated' : 'activated'}`)
  }

  const resetPassword = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setPasswordError(undefined)
    try {
      await client.request('POST', `/api/users/${user.id}/password`, { password })
      toast(`Password of ${user.name} reset; they are signed out everywhere`, 'success')
      setPassword('')
      setResetting(false)
    } catch (err) {
      setPasswordError(isOffline(err) ? 'Needs a connection.' : (fieldErrors(err).password ?? errorMessage(err)))
    } finally {
      setBusy(false)
    }
  }

  return (
    <tr className={user.is_active ? undefined : 'user-inactive'}>
      <th scope="row" className="user-name">
        {user.name}
        {self ? <span className="badge">you</span> : null}
        <span className="user-inline">{user.email}</span>
        <span className="user-inline">{user.is_active ? 'Active' : 'Inactive'}</span>
      </th>
      <td className="user-email">{user.email}</td>
      <td>
        <label className="sr-only" htmlFor={`${id}-role`}>
          Role of {user.name}
        </label>
        <select
          id={`${id}-role`}
          className="user-role"
          value={user.role}
          disabled={busy || self}
          title={self ? 'You cannot change your own role' : undefined}
          onChange={(e) => void patch({ role: e.target.value as Role }, `${user.name} is now ${e.target.value}`)}
        >
          {ROLE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </td>
      <td className="user-status">{user.is_active ? 'Active' : 'Inactive'}</td>
      <td>
        <div className="user-actions">
          <button
            type="button"
            disabled={busy || self}
            onClick={toggleActive}
            aria-label={`${user.is_active ? 'Deactivate' : 'Activate'} ${user.name}`}
          >
            {user.is_active ? 'Deactivate' : 'Activate'}
          </button>
          <button
            type="button"
            disabled={busy}
            aria-expanded={resetting}
            aria-controls={`${id}-reset`}
            aria-label={`Reset password of ${user.name}`}
            onClick={() => setResetting((r) => !r)}
          >
            Reset password
          </button>
        </div>
        {resetting ? (
          <form id={`${id}-reset`} className="user-reset" onSubmit={resetPassword} noValidate>
            <Field
              label={`New password for ${user.name}`}
              type="password"
              autoComplete="new-password"
              minLength={8}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={passwordError}
              hint="At least 8 characters. They are signed out everywhere."
            />
            <div className="user-actions">
              <button type="submit" className="primary" disabled={busy}>
                Set password
              </button>
              <button type="button" onClick={() => setResetting(false)}>
                Cancel
              </button>
            </div>
          </form>
        ) : null}
        <FormError message={error} />
      </td>
    </tr>
  )
}
