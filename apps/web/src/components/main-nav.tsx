/**
 * The main navigation, one component with two layouts (main-nav.css): on a
 * desktop every screen the role may open is a link in the top bar; on a
 * phone the role's main screens are a tab bar at the bottom of the screen and
 * "More" opens the rest, closed again by a tap outside it, Escape (focus
 * back on "More") or a screen opened from it. The Sync link (or "More", when
 * Sync is behind it on a phone) carries the count of queued changes.
 */
import type { Role } from '@trackvault/core'
import { type CSSProperties, useEffect, useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { NavLink, useLocation } from 'react-router'
import './main-nav.css'

/** A screen the navigation links to. */
export interface NavItem {
  to: string
  label: string
  /** The role may open it. */
  shown: boolean
  /** Only in the phone's tab bar (a shortcut the desktop reaches from a list). */
  phoneOnly?: boolean
}

/** The tab bar's screens on a phone: a collector's field work, or an office role's books. The rest go under "More". */
export function phoneTabs(role: Role | undefined): string[] {
  return role === 'collector'
    ? ['/', '/collections/new', '/suppliers', '/sync']
    : ['/', '/suppliers', '/collections', '/payments']
}

function QueuedCount({ queued }: { queued: number }) {
  const { t } = useTranslation()
  if (queued <= 0) return null
  return (
    <span className="count">
      {queued}
      <span className="sr-only"> {t('nav.queued')}</span>
    </span>
  )
}

export function MainNav({ items, role, queued }: { items: NavItem[]; role: Role | undefined; queued: number }) {
  const { t } = useTranslation()
  const [open, setOpen] = useState(false)
  const { pathname } = useLocation()
  const sheetId = useId()
  const navRef = useRef<HTMLElement>(null)
  const moreRef = useRef<HTMLButtonElement>(null)
  // A screen opened from the sheet closes it.
  useEffect(() => setOpen(false), [pathname])
  // So do Escape and a tap (or click) anywhere outside the navigation; the tap still does what it does there.
  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return
      setOpen(false)
      moreRef.current?.focus()
    }
    const onPointer = (e: PointerEvent) => {
      if (!navRef.current?.contains(e.target as Node)) setOpen(false)
    }
    window.addEventListener('keydown', onKey)
    document.addEventListener('pointerdown', onPointer, true)
    return () => {
      window.removeEventListener('keydown', onKey)
      document.removeEventListener('pointerdown', onPointer, true)
    }
  }, [open])

  const shown = items.filter((i) => i.shown)
  const tabPaths = phoneTabs(role)
  const tabs = tabPaths.flatMap((to) => shown.filter((i) => i.to === to))
  const rest = shown.filter((i) => !tabPaths.includes(i.to) && !i.phoneOnly)
  const syncInSheet = rest.some((i) => i.to === '/sync')
  const sheetActive = rest.some((i) => pathname === i.to || pathname.startsWith(`${i.to}/`))
  // Desktop keeps the screens in their usual order, whichever layout group they are in.
  const order = (item: NavItem) => ({ '--order': items.indexOf(item) }) as CSSProperties

  const link = (item: NavItem, className: string) => (
    <NavLink
      key={item.to}
      to={item.to}
      end={item.to === '/' || item.phoneOnly}
      className={({ isActive }) =>
        `${className}${item.phoneOnly ? ' mainnav-phone-only' : ''}${isActive ? ' active' : ''}`
      }
      style={order(item)}
    >
      <span className="mainnav-label">{item.label}</span> {item.to === '/sync' ? <QueuedCount queued={queued} /> : null}
    </NavLink>
  )

  return (
    <nav ref={navRef} aria-label={t('nav.main')} className={`mainnav${open ? ' open' : ''}`}>
      {tabs.map((item) => link(item, 'mainnav-tab'))}
      {rest.length > 0 ? (
        <>
          <button
            ref={moreRef}
            type="button"
            className={`mainnav-tab mainnav-more${sheetActive ? ' active' : ''}`}
            aria-expanded={open}
            aria-controls={sheetId}
            onClick={() => setOpen((o) => !o)}
          >
            <span className="mainnav-label">{t('nav.more')}</span>{' '}
            {syncInSheet ? <QueuedCount queued={queued} /> : null}
          </button>
          <div className="mainnav-sheet" id={sheetId}>
            {rest.map((item) => link(item, 'mainnav-sheet-link'))}
          </div>
        </>
      ) : null}
    </nav>
  )
}
