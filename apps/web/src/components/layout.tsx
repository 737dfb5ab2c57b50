/**
 * The frame around every screen: navigation for the user's role (./main-nav.tsx:
 * the top bar on a desktop, a bottom tab bar on a phone), the sync
 * state (always visible; a banner with the pending count while offline, and
 * one asking to sign in again when the server ended the session), a
 * progress bar while syncing, and toasts after each sync.
 */
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import { type ReactNode, useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { NavLink, useNavigate } from 'react-router'
import { LanguageSelect } from '../i18n/language-select'
import { dateTime, errorMessage } from '../lib/format'
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
  const { can, reads, reports, users, settings, routes } = useCan()
  useBusinessSettings() // keeps the business's time zone current for every screen's "today"
  const toast = useToast()
  const navigate = useNavigate()
  const { t } = useTranslation()

  useEffect(
    () =>
      client.onSync((s) => {
        if (s.skipped) return
        if (s.error && !s.error.offline) toast(t('layout.syncStopped', { message: errorMessage(s.error) }), 'error')
        else if (s.successful + s.failed + s.conflicts > 0) {
          const parts = [t('layout.synced', { count: s.successful })]
          if (s.failed) parts.push(t('layout.failed', { count: s.failed }))
          if (s.conflicts) parts.push(t('layout.inConflict', { count: s.conflicts }))
          toast(parts.join(', '), s.failed || s.conflicts ? 'error' : 'success')
        }
      }),
    [client, toast, t],
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
    { to: '/', label: t('nav.home'), shown: true },
    { to: '/collections/new', label: t('nav.collect'), shown: can('collection', 'create'), phoneOnly: true },
    { to: '/suppliers', label: t('nav.suppliers'), shown: reads('supplier') },
    { to: '/routes', label: t('routes.nav'), shown: routes },
    { to: '/products', label: t('nav.products'), shown: reads('product') },
    { to: '/collections', label: t('nav.collections'), shown: reads('collection') },
    { to: '/payments', label: t('nav.payments'), shown: reads('payment') },
    { to: '/settlements', label: t('nav.settlements'), shown: reads('settlement_run') },
    { to: '/reports', label: t('nav.reports'), shown: reports },
    { to: '/sync', label: t('nav.sync'), shown: true },
    { to: '/users', label: t('nav.users'), shown: users },
    { to: '/settings', label: t('nav.settings'), shown: settings },
  ]
  const queued = status.pending + status.conflicts + status.failed

  return (
    <div className="app">
      {!status.online ? (
        <div className="offline-banner" role="status">
          {t('layout.offlineBanner', { count: status.pending })}
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
          <span className="sr-only">{status.online ? t('common.online') : t('common.offline')}</span>
          <span className="who">
            {user?.name} ({user ? t(`users.role_${user.role}`) : ''})
          </span>
          <LanguageSelect compact />
          <button type="button" onClick={signOut}>
            {t('layout.signOut')}
          </button>
        </div>
      </header>
      {status.syncing ? (
        <div className="sync-progress">
          <progress
            aria-label={t('layout.syncProgress')}
            max={status.progress?.total || 1}
            value={status.progress ? status.progress.current : undefined}
          />
        </div>
      ) : null}
      <main>{children}</main>
      <footer className="statusbar">
        <span>{status.online ? t('common.online') : t('common.offline')}</span>
        <span>{t('layout.pending', { count: status.pending })}</span>
        <span>{t('layout.lastSync', { when: dateTime(status.lastSyncAt, t('common.never')) })}</span>
      </footer>
    </div>
  )
}
