/**
 * "Sync now": runs a sync with progress, and keeps its outcome (a summary, or
 * an error message) for the page to show.
 */
import type { SyncSummary } from '@trackvault/client'
import { useSyncClient } from '@trackvault/react'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage, isOffline } from '../../lib/format'

export function useSyncNow() {
  const client = useSyncClient()
  const { t } = useTranslation()
  const [running, setRunning] = useState(false)
  const [progress, setProgress] = useState<{ current: number; total: number } | null>(null)
  const [summary, setSummary] = useState<SyncSummary>()
  const [error, setError] = useState<string>()
  const waitForNext = useRef<() => void>(undefined)
  useEffect(() => () => waitForNext.current?.(), [])

  const syncNow = async () => {
    setRunning(true)
    setSummary(undefined)
    setError(undefined)
    setProgress(null)
    // A sync already running (the automatic one, or another tab's) makes this call a no-op:
    // listen first, so its outcome shows here whenever it ends.
    let settled = false
    waitForNext.current?.()
    const stop = client.onSync((next) => {
      if (next.skipped || settled) return
      settled = true
      setSummary(next)
      stop()
    })
    waitForNext.current = stop
    try {
      const result = await client.sync({ onProgress: (current, total) => setProgress({ current, total }) })
      if (!settled) {
        setSummary(result)
        if (!result.skipped) {
          settled = true
          stop()
        }
      }
    } catch (err) {
      setError(isOffline(err) ? t('syncWording.noConnectionQueued') : errorMessage(err))
    } finally {
      setRunning(false)
      setProgress(null)
    }
  }

  return { syncNow, running, progress, summary, error }
}
