/**
 * The directory of all suppliers, for a collector (whose phone holds only
 * its routes' suppliers and those on no route, docs/sync-protocol.md
 * "Scopes"): search the server for a supplier met elsewhere and add it to
 * this phone (`client.directory`), with progress until it is here; and the
 * suppliers added so, each with "Remove from this phone". Online only: the
 * directory is the server's; offline it says it needs a connection.
 *
 *   <DirectoryLookup key={typed} typed="wanj" onAdded={({ id }) => pick(id)} />   // under the picker, when nothing matched
 *   <DirectorySection />                                           // on a collector's suppliers list
 */
import type { DirectoryEntry } from '@trackvault/client'
import { useOnlineStatus, useSyncClient } from '@trackvault/react'
import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { errorMessage } from '../lib/format'
import { routeLabel } from '../lib/routes'
import { useRoutes, useSuppliers } from '../lib/typed-rows'
import { Empty, Field, FormError } from './ui'
import './directory.css'

/** A search of the directory: what was searched, what came back, and whether it is still running. */
function useDirectorySearch() {
  const client = useSyncClient()
  const [state, setState] = useState<{ query: string; results?: DirectoryEntry[]; error?: string }>()
  const run = async (query: string) => {
    setState({ query })
    try {
      setState({ query, results: await client.directory.search(query) })
    } catch (err) {
      setState({ query, error: errorMessage(err) })
    }
  }
  /** Marks a supplier as on this device (after it was added). */
  const held = (id: string) =>
    setState((s) => s && { ...s, results: s.results?.map((r) => (r.id === id ? { ...r, on_device: true } : r)) })
  return { state, run, held }
}

/** "Searching all suppliers needs a connection." */
function NeedsConnection() {
  const { t } = useTranslation()
  return <p className="hint dir-offline">{t('directory.needsConnection')}</p>
}

/** What the directory found for a search, each with "Add to this phone" (and its progress) or "On this phone". */
function DirectoryResults({
  search,
  onAdded,
}: {
  search: ReturnType<typeof useDirectorySearch>
  onAdded: (entry: DirectoryEntry) => void
}) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const { data: routes } = useRoutes({ include_deleted: true })
  const routeName = useMemo(() => new Map((routes ?? []).map((r) => [r.id, routeLabel(r)])), [routes])
  const [adding, setAdding] = useState<string>()
  const [status, setStatus] = useState<string>()
  const [error, setError] = useState<string>()
  const { state } = search
  if (!state) return null

  const add = async (entry: DirectoryEntry) => {
    setAdding(entry.id)
    setError(undefined)
    setStatus(t('directory.addingStatus', { name: entry.name }))
    try {
      await client.directory.add(entry.id)
      search.held(entry.id)
      setStatus(t('directory.addedStatus', { name: entry.name }))
      onAdded(entry)
    } catch (err) {
      setStatus(undefined)
      setError(errorMessage(err))
    } finally {
      setAdding(undefined)
    }
  }

  return (
    <div className="dir-results">
      {state.error ? <FormError message={state.error} /> : null}
      {!state.results && !state.error ? (
        <p className="loading" role="status">
          {t('directory.searching')}
        </p>
      ) : null}
      {state.results?.length === 0 ? <Empty>{t('directory.noMatch', { typed: state.query })}</Empty> : null}
      {state.results && state.results.length > 0 ? (
        <ul className="dir-list" aria-label={t('directory.resultsLabel', { typed: state.query })}>
          {state.results.map((s) => (
            <li key={s.id} className="dir-item">
              <span className="dir-text">
                <span className="dir-name">{s.name}</span>
                <span className="dir-meta">
                  {s.code}
                  {s.phone ? ` · ${s.phone}` : ''} ·{' '}
                  {s.route_id ? (routeName.get(s.route_id) ?? t('directory.otherRoute')) : t('routes.noRoute')}
                </span>
              </span>
              {s.on_device ? (
                <span className="badge sp-on dir-held">{t('directory.onPhone')}</span>
              ) : (
                <button type="button" className="primary" disabled={adding !== undefined} onClick={() => void add(s)}>
                  {adding === s.id ? t('directory.adding') : t('directory.add')}
                  <span className="sr-only"> ({s.name})</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <FormError message={error} />
      <p className="hint" role="status">
        {status}
      </p>
    </div>
  )
}

/**
 * Under the supplier picker when what is typed matches no supplier on this phone: "Search all
 * suppliers for …", the matches of other routes, and "Add to this phone"; `onAdded` gets the
 * supplier (id, name) once the server added it to this user's devices (the sync then brings it). Keyed by what is typed, so a new text starts over.
 */
export function DirectoryLookup({
  typed,
  onAdded,
}: {
  typed: string
  onAdded: (supplier: { id: string; name: string }) => void
}) {
  const { t } = useTranslation()
  const online = useOnlineStatus()
  const search = useDirectorySearch()
  if (!online) return <NeedsConnection />
  return (
    <div className="dir-lookup">
      {search.state?.query !== typed ? (
        <button type="button" onClick={() => void search.run(typed)}>
          {t('directory.searchFor', { typed })}
        </button>
      ) : null}
      <DirectoryResults search={search} onAdded={onAdded} />
    </div>
  )
}

/** A collector's suppliers list: search all suppliers, add one, and the ones added with "Remove from this phone". */
export function DirectorySection() {
  const { t } = useTranslation()
  const online = useOnlineStatus()
  const search = useDirectorySearch()
  const [query, setQuery] = useState('')
  const [reload, setReload] = useState(0)
  const titleId = useId()

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (query.trim()) void search.run(query.trim())
  }

  return (
    <section className="sp-section dir-section" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('directory.title')}</h2>
      <p className="hint">{t('directory.hint')}</p>
      {online ? (
        <>
          <search aria-label={t('directory.title')}>
            <form className="dir-search" onSubmit={submit}>
              <Field
                label={t('directory.searchLabel')}
                type="search"
                placeholder={t('supplierPicker.placeholder')}
                autoComplete="off"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
              <button type="submit" disabled={!query.trim()}>
                {t('directory.search')}
              </button>
            </form>
          </search>
          <DirectoryResults search={search} onAdded={() => setReload((n) => n + 1)} />
          <AddedSuppliers reload={reload} />
        </>
      ) : (
        <NeedsConnection />
      )}
    </section>
  )
}

/** The suppliers this user added from the directory (the server's list), each with "Remove from this phone". */
function AddedSuppliers({ reload }: { reload: number }) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const { data: suppliers } = useSuppliers({ include_deleted: true })
  const [added, setAdded] = useState<Array<{ supplier_id: string }>>()
  const [busy, setBusy] = useState<string>()
  const [error, setError] = useState<string>()
  const [status, setStatus] = useState<string>()
  const titleId = useId()
  const byId = useMemo(() => new Map((suppliers ?? []).map((s) => [s.id, s])), [suppliers])

  const load = useCallback(async () => {
    try {
      setAdded(await client.directory.added())
    } catch (err) {
      setError(errorMessage(err))
    }
  }, [client])
  useEffect(() => void load(), [load, reload])

  const remove = async (id: string, name: string) => {
    setBusy(id)
    setError(undefined)
    try {
      await client.directory.remove(id)
      setStatus(t('directory.removed', { name }))
      await load()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(undefined)
    }
  }

  if (!added) return null
  return (
    <div className="dir-added">
      <h3 id={titleId}>{t('directory.added')}</h3>
      {added.length === 0 ? <Empty>{t('directory.addedNone')}</Empty> : null}
      {added.length > 0 ? (
        <ul className="dir-list" aria-labelledby={titleId}>
          {added.map(({ supplier_id }) => {
            const s = byId.get(supplier_id)
            const name = s?.name ?? t('directory.notHereYet')
            return (
              <li key={supplier_id} className="dir-item">
                <span className="dir-text">
                  {s ? (
                    <Link to={`/suppliers/${s.id}`} className="dir-name">
                      {s.name}
                    </Link>
                  ) : (
                    <span className="dir-name">{name}</span>
                  )}
                  {s ? <span className="dir-meta">{s.code}</span> : null}
                </span>
                <button type="button" disabled={busy !== undefined} onClick={() => void remove(supplier_id, name)}>
                  {busy === supplier_id ? t('directory.removing') : t('directory.remove')}
                  <span className="sr-only"> ({name})</span>
                </button>
              </li>
            )
          })}
        </ul>
      ) : null}
      <FormError message={error} />
      <p className="hint" role="status">
        {status}
      </p>
    </div>
  )
}
