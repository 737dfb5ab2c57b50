/**
 * The frame around every screen: navigation for the user's role (./main-nav.tsx:
 * the top bar on a desktop, a bottom tab bar on a phone), the sync
 * state (always visible; a banner with the pending count while offline, and
 * one asking to sign in again when the server ended the session), a
 * progress bar while syncing, and toasts after each sync.
 */
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import { type ReactNode, useEffect } from 'react'
import { NavLink, useNavigate } from 'react-router'
import { dateTime } from '../lib/format'
import { useCan } from '../lib/permissions'
import { useSession } from '../lib/session'
import { useBusinessSettings } from '../lib/settings'
import { signOutPrompt } from '../lib/sign-out-prompt'
import { useToast } from '../lib/toast'
import { MainNav, type NavItem } from './main-nav'
import { SessionBanner } from './session-banner'

export function Layout({ children }: { children: ReactNode }) {
  const client = useSyncClient()
  const status = useSyncStatus()
  const { user, logout } = useSession()
  const { can, reads, reports, users, settings } = useCan()
  useBusinessSettings() // keeps the business's time zone current for every screen's "today"
  const toast = useToast()
  const navigate = useNavigate()

  useEffect(
    () =>
      client.onSync((s) => {
        if (s.skipped) return
        if (s.error && !s.error.offline) toast(`Sync stopped: ${s.error.message}`, 'error')
        else if (s.successful + s.failed + s.conflicts > 0) {
          const parts = [`${s.successful} synced`]
          if (s.failed) parts.push(`${s.failed} failed`)
          if (s.conflicts) parts.push(`${s.conflicts} in conflict`)
          toast(parts.join(', '), s.failed || s.conflicts ? 'error' : 'success')
        }
      }),
    [client, toast],
  )

  const signOut = async () => {
    const prompt = signOutPrompt({
      unsynced: await client.unsyncedCount(),
      online: client.status.current.online,
      canUnlockOffline: await client.canUnlockOffline(),
    })
    if (prompt && !window.confirm(prompt)) return
    await logout()
    navigate('/')
  }

  const items: NavItem[] = [
    { to: '/', label: 'Home', shown: true },
    { to: '/collections/new', label: 'Collect', shown: can('collection', 'create'), phoneOnly: true },
    { to: '/suppliers', label: 'Suppliers', shown: reads('supplier') },
    { to: '/products', label: 'Products', shown: reads('product') },
    { to: '/collections', label: 'Collections', shown: reads('collection') },
    { to: '/payments', label: 'Payments', shown: reads('payment') },
    { to: '/settlements', label: 'Settlements', shown: reads('settlement_run') },
    { to: '/reports', label: 'Reports', shown: reports },
    { to: '/sync', label: 'Sync', shown: true },
    { to: '/users', label: 'Users', shown: users },
    { to: '/settings', label: 'Settings', shown: settings },
  ]
  const queued = status.pending + status.conflicts + status.failed

  return (
    <div className="app">
      {!status.online ? (
        <div className="offline-banner" role="status">
          Offline — {status.pending} change{status.pending === 1 ? '' : 's'} waiting to sync. Everything keeps working.
        </div>
      ) : null}
      <SessionBanner />
      <header className="topbar">
        <NavLink to="/" className="brand">
          TrackVault
        </NavLink>
        <MainNav items={items} role={user?.role} queued={queued} />
        <div className="session">
          <span className={`dot ${status.online ? 'online' : 'offline'}`} aria-hidden="true" />
          <span className="sr-only">{status.online ? 'Online' : 'Offline'}</span>
          <span className="who">
            {user?.name} ({user?.role})
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      {status.syncing ? (
        <div className="sync-progress">
          <progress
            aria-label="Sync progress"
            max={status.progress?.total || 1}
            value={status.progress ? status.progress.current : undefined}
          />
        </div>
      ) : null}
      <main>{children}</main>
      <footer className="statusbar">
        <span>{status.online ? 'Online' : 'Offline'}</span>
        <span>Pending: {status.pending}</span>
        <span>Last sync: {dateTime(status.lastSyncAt)}</span>
      </footer>
    </div>
  )
}
