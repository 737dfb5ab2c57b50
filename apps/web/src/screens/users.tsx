/**
 * User administration (admins only). Users do not sync: every action here
 * is an online request, so the screen says "Needs a connection" offline.
 */
import { ROLES, type Role, type User } from '@trackvault/core'
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import { type FormEvent, useCallback, useEffect, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Empty, Field, FormError, Page, SelectField } from '../components/ui'
import { errorMessage, fieldErrors, isOffline } from '../lib/format'
import { useSession } from '../lib/session'
import { useToast } from '../lib/toast'
import './users.css'

/** The roles to choose from, named in the chosen language ("Admin", "Msimamizi"). */
function useRoleOptions() {
  const { t } = useTranslation()
  return ROLES.map((r) => {
    const name = t(`users.role_${r}`)
    return { value: r, label: name.charAt(0).toUpperCase() + name.slice(1) }
  })
}

function NeedsConnection() {
  const { t } = useTranslation()
  return (
    <div className="card users-offline" role="status">
      <h2>{t('users.needsConnection')}</h2>
      <p>{t('users.needsConnectionNote')}</p>
    </div>
  )
}

export function Users() {
  const { t } = useTranslation()
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
        title={t('users.title')}
        actions={
          online ? (
            <button type="button" onClick={() => void load()}>
              {t('users.tryAgain')}
            </button>
          ) : undefined
        }
      >
        <NeedsConnection />
      </Page>
    )
  }

  return (
    <Page title={t('users.title')}>
      <CreateUser
        onCreated={(user) => setUsers((list) => [...(list ?? []), user].sort((a, b) => a.name.localeCompare(b.name)))}
      />
      <section aria-labelledby="users-list-title" className="users-list">
        <h2 id="users-list-title">{t('users.all')}</h2>
        <FormError message={loadError} />
        {users === undefined ? (
          loadError ? null : (
            <p aria-live="polite">{t('common.loading')}</p>
          )
        ) : users.length === 0 ? (
          <Empty>{t('users.none')}</Empty>
        ) : (
          <div className="table-wrap">
            <table className="users-table">
              <caption className="sr-only">{t('users.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('users.name')}</th>
                  <th scope="col" className="user-email">
                    {t('users.email')}
                  </th>
                  <th scope="col">{t('users.role')}</th>
                  <th scope="col" className="user-status">
                    {t('users.status')}
                  </th>
                  <th scope="col">{t('users.actions')}</th>
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
  const { t } = useTranslation()
  const roleOptions = useRoleOptions()
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
      toast(t('users.created', { name: user.name }), 'success')
    } catch (err) {
      const fields = fieldErrors(err)
      setErrors(fields)
      const code = (err as { code?: string }).code
      if (isOffline(err)) setError(t('users.notCreatedOffline'))
      else if (code === 'DUPLICATE') setError(t('users.duplicateEmail'))
      else if (code === 'VALIDATION_FAILED' && Object.keys(fields).length > 0) setError(t('users.correctFields'))
      else setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card users-create" onSubmit={submit} aria-labelledby="create-user-title" noValidate>
      <h2 id="create-user-title">{t('users.add')}</h2>
      <Field
        label={t('users.name')}
        required
        autoComplete="off"
        value={form.name}
        onChange={set('name')}
        error={errors.name}
      />
      <Field
        label={t('users.email')}
        type="email"
        required
        autoComplete="off"
        value={form.email}
        onChange={set('email')}
        error={errors.email}
      />
      <Field
        label={t('users.password')}
        type="password"
        required
        minLength={8}
        autoComplete="new-password"
        hint={t('users.passwordHint')}
        value={form.password}
        onChange={set('password')}
        error={errors.password}
      />
      <SelectField
        label={t('users.role')}
        options={roleOptions}
        value={form.role}
        onChange={set('role')}
        error={errors.role}
      />
      <FormError message={error} />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('users.creating') : t('users.create')}
      </button>
    </form>
  )
}

function UserRow({ user, onChange }: { user: User; onChange: (user: User) => void }) {
  const { t } = useTranslation()
  const roleOptions = useRoleOptions()
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
      setError(isOffline(err) ? t('errors.needsConnection') : errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  const who = { name: user.name }
  const toggleActive = () => {
    if (user.is_active && !window.confirm(t('users.deactivateConfirm', who))) return
    void patch({ is_active: !user.is_active }, t(user.is_active ? 'users.deactivated' : 'users.activated', who))
  }

  const resetPassword = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setPasswordError(undefined)
    try {
      await client.request('POST', `/api/users/${user.id}/password`, { password })
      toast(t('users.passwordReset', who), 'success')
      setPassword('')
      setResetting(false)
    } catch (err) {
      setPasswordError(isOffline(err) ? t('errors.needsConnection') : (fieldErrors(err).password ?? errorMessage(err)))
    } finally {
      setBusy(false)
    }
  }

  return (
    <tr className={user.is_active ? undefined : 'user-inactive'}>
      <th scope="row" className="user-name">
        {user.name}
        {self ? <span className="badge">{t('users.you')}</span> : null}
        <span className="user-inline">{user.email}</span>
        <span className="user-inline">{t(user.is_active ? 'users.active' : 'users.inactive')}</span>
      </th>
      <td className="user-email">{user.email}</td>
      <td>
        <label className="sr-only" htmlFor={`${id}-role`}>
          {t('users.roleOf', who)}
        </label>
        <select
          id={`${id}-role`}
          className="user-role"
          value={user.role}
          disabled={busy || self}
          title={self ? t('users.ownRole') : undefined}
          onChange={(e) =>
            void patch(
              { role: e.target.value as Role },
              t('users.roleChanged', { name: user.name, role: t(`users.role_${e.target.value}`) }),
            )
          }
        >
          {roleOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </td>
      <td className="user-status">{t(user.is_active ? 'users.active' : 'users.inactive')}</td>
      <td>
        <div className="user-actions">
          <button
            type="button"
            disabled={busy || self}
            onClick={toggleActive}
            aria-label={t(user.is_active ? 'users.deactivateLabel' : 'users.activateLabel', who)}
          >
            {t(user.is_active ? 'users.deactivate' : 'users.activate')}
          </button>
          <button
            type="button"
            disabled={busy}
            aria-expanded={resetting}
            aria-controls={`${id}-reset`}
            aria-label={t('users.resetLabel', who)}
            onClick={() => setResetting((r) => !r)}
          >
            {t('users.reset')}
          </button>
        </div>
        {resetting ? (
          <form id={`${id}-reset`} className="user-reset" onSubmit={resetPassword} noValidate>
            <Field
              label={t('users.newPassword', who)}
              type="password"
              autoComplete="new-password"
              minLength={8}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={passwordError}
              hint={t('users.newPasswordHint')}
            />
            <div className="user-actions">
              <button type="submit" className="primary" disabled={busy}>
                {t('users.setPassword')}
              </button>
              <button type="button" onClick={() => setResetting(false)}>
                {t('common.cancel')}
              </button>
            </div>
          </form>
        ) : null}
        <FormError message={error} />
      </td>
    </tr>
  )
}
