/**
 * "Payout results" on an approved run's page (admin, manager, finance): the file the bank or the
 * mobile money provider returned (reference, status paid or failed, note) is sent as it is
 * (POST /api/settlement-runs/:id/payout-results, text/csv). The server records it all or nothing:
 * a bad row refuses the file and each bad row is listed here; a failed payout's payment is removed
 * and the supplier is owed it again (the next run's opening). Online only.
 */
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import { type FormEvent, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { FormError } from '../components/ui'
import { resultFileErrors, settlementErrorMessage } from '../lib/settlements'
import { useToast } from '../lib/toast'

interface ResultsAnswer {
  paid: number
  failed: number
  unchanged: number
}

export function PayoutResults({ runId }: { runId: string }) {
  const { t } = useTranslation()
  const client = useSyncClient()
  const online = useSyncStatus((s) => s.online)
  const toast = useToast()
  const inputId = useId()
  const [file, setFile] = useState<File>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const [rows, setRows] = useState<string[]>([])
  const [done, setDone] = useState<string>()

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!file) {
      setError(t('payoutResults.chooseFile'))
      return
    }
    setBusy(true)
    setError(undefined)
    setRows([])
    setDone(undefined)
    try {
      const answer = await client.upload<ResultsAnswer>(
        `/api/settlement-runs/${runId}/payout-results`,
        await file.text(),
        'text/csv',
      )
      const text = t('payoutResults.recorded', {
        paid: answer.paid,
        failed: answer.failed,
        unchanged: answer.unchanged,
      })
      setDone(text)
      toast(text, answer.failed > 0 ? 'error' : 'success')
      await client.sync().catch(() => {}) // the lines' payout status (and removed payments) onto this device
    } catch (err) {
      setRows(resultFileErrors((err as { details?: unknown }).details))
      setError(
        (err as { status?: number }).status === 422
          ? t('payoutResults.refused')
          : settlementErrorMessage(err as { code?: string; message?: string; offline?: boolean }),
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card st-results no-print" onSubmit={submit} aria-labelledby={`${inputId}-title`}>
      <h2 id={`${inputId}-title`} className="sp-form-title">
        {t('payoutResults.title')}
      </h2>
      <p className="hint">{t('payoutResults.hint')}</p>
      <div className="field">
        <label htmlFor={inputId}>{t('payoutResults.file')}</label>
        <input
          id={inputId}
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            setFile(e.target.files?.[0])
            setError(undefined)
          }}
        />
      </div>
      <FormError message={error} />
      {rows.length > 0 ? (
        <ul className="st-result-rows" aria-label={t('payoutResults.rowsRefused')}>
          {rows.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      {done ? (
        <p role="status" className="st-done">
          {done}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" disabled={busy || !online}>
          {busy ? t('payoutResults.recording') : t('payoutResults.record')}
        </button>
        {!online ? <span className="hint">{t('payoutResults.needsConnection')}</span> : null}
      </div>
    </form>
  )
}
