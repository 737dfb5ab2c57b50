/**
 * Pieces shared by the collection and payment screens: the submit of their
 * forms (with friendlier save errors) and the printable receipt. Their lists
 * are ./record-list-page.tsx; the supplier picker is
 * components/supplier-picker.tsx.
 */
import type { OpStatus } from '@trackvault/client'
import { useSyncClient, useSyncStatus } from '@trackvault/react'
import type { TFunction } from 'i18next'
import { type FormEvent, type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { Empty, FormError, Page, SyncBadge } from '../components/ui'
import type { FormState } from './form-state'
import { dateTime, errorMessage, fieldErrors } from './format'
import { supplierLabel } from './lookup'
import { fieldName } from './messages'
import { useCan } from './permissions'
import { useBusinessSettings } from './settings'
import { useToast } from './toast'
import type { SupplierView } from './typed-rows'

/** The two kinds of record these screens show; routes are /collections and /payments. */
export type RecordKind = 'collection' | 'payment'

/** One line of a receipt; false or null lines are left out. */
export type ReceiptLine = [string, ReactNode] | false | null

/** Rows of a receipt: a description list. */
export function ReceiptLines({ lines }: { lines: ReceiptLine[] }) {
  return (
    <dl className="rc-receipt-lines">
      {lines.map((line) =>
        line ? (
          <div key={line[0]}>
            <dt>{line[0]}</dt>
            <dd>{line[1]}</dd>
          </div>
        ) : null,
      )}
    </dl>
  )
}

/** What a receipt screen shows while its row loads, or when the row is not on this device. */
export function ReceiptMissing({ kind, loading }: { kind: RecordKind; loading: boolean }) {
  const { t } = useTranslation()
  const title = t(kind === 'collection' ? 'receipt.collectionTitle' : 'receipt.paymentTitle')
  if (loading) return <Page title={title}>{t('common.loading')}</Page>
  return (
    <Page title={title}>
      <Empty>
        {t(kind === 'collection' ? 'receipt.missingCollection' : 'receipt.missingPayment')}{' '}
        <Link to={`/${kind}s`}>
          {t(kind === 'collection' ? 'receipt.backToCollections' : 'receipt.backToPayments')}
        </Link>
      </Empty>
    </Page>
  )
}

/**
 * A printable receipt of a collection or payment: Print, Edit (if `editable`
 * and allowed) and Delete, a notice while the row is not synced, the card
 * (the business's name and receipt header from its settings, the receipt
 * number, supplier code and name, `lines`, when it was recorded), what
 * `afterReceipt` adds (never printed) and the links back (`links` adds more).
 */
export function RecordReceipt({
  kind,
  row,
  supplier,
  unsyncedNote,
  lines,
  signature,
  receiptNumber,
  editable = false,
  links,
  onPrint = () => window.print(),
  printing = false,
  afterReceipt,
}: {
  kind: RecordKind
  row: { id: string; user_id: string; created_at: string; _sync?: OpStatus }
  supplier: SupplierView | undefined
  /** What the "Not yet synced" notice says after its dash. */
  unsyncedNote: string
  lines: ReceiptLine[]
  /** The label of the line to sign on. */
  signature: string
  /** The short number printed for the supplier (collections); the record's id is printed otherwise. */
  receiptNumber?: string | null
  editable?: boolean
  links?: ReactNode
  /** What Print does: the browser's print dialog unless the screen prints otherwise (a receipt printer). */
  onPrint?: () => void
  /** A print is on its way (Print is disabled). */
  printing?: boolean
  /** Shown under the receipt, never printed (the printing choices). */
  afterReceipt?: ReactNode
}) {
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { can } = useCan()
  const settings = useBusinessSettings()
  const [error, setError] = useState<string>()
  const { t } = useTranslation()
  const title = t(kind === 'collection' ? 'receipt.collectionTitle' : 'receipt.paymentTitle')

  const remove = async () => {
    if (!window.confirm(t(`${kind}s.deleteConfirm`))) return
    try {
      await (kind === 'collection' ? client.collections : client.payments).remove(row.id)
      toast(t(`${kind}s.deleted`), 'success')
      navigate(`/${kind}s`, { replace: true })
    } catch (err) {
      setError(errorMessage(err))
    }
  }

  return (
    <Page
      title={title}
      actions={
        <>
          <button type="button" className="primary" onClick={onPrint} disabled={printing}>
            {t('receipt.print')}
          </button>
          {editable && can(kind, 'update', row.user_id) ? (
            <Link className="rc-btn-link" to={`/${kind}s/${row.id}/edit`}>
              {t('receipt.edit')}
            </Link>
          ) : null}
          {can(kind, 'delete', row.user_id) ? (
            <button type="button" className="danger" onClick={remove}>
              {t('receipt.delete')}
            </button>
          ) : null}
        </>
      }
    >
      <FormError message={error} />
      {row._sync !== undefined ? (
        <p className="rc-notice no-print" role="status">
          {t('receipt.notSynced', { note: unsyncedNote })}
          {row._sync !== 'pending' ? (
            <>
              {' '}
              (<SyncBadge state={row._sync} /> <Link to="/sync">{t('receipt.openSyncCenter')}</Link>)
            </>
          ) : null}
        </p>
      ) : null}
      <article className="card rc-receipt" aria-labelledby="receipt-title">
        <div className="rc-receipt-head">
          <span className="rc-brandline" data-testid="receipt-business">
            {settings.business_name}
          </span>
          <h2 id="receipt-title">{title}</h2>
          {settings.receipt_header ? (
            <p className="rc-receipt-header" data-testid="receipt-header">
              {settings.receipt_header}
            </p>
          ) : null}
        </div>
        <ReceiptLines
          lines={[
            receiptNumber !== undefined
              ? [
                  t('receipt.receiptNo'),
                  <strong key="number" className="rc-receipt-number" data-testid="receipt-number">
                    {receiptNumber ?? t('receipt.givenWhenSynced')}
                  </strong>,
                ]
              : null,
            [t('receipt.supplier'), supplier ? supplierLabel(supplier) : t('receipt.unknownSupplier')],
            ...lines,
            [t('receipt.recorded'), dateTime(row.created_at)],
            [
              receiptNumber !== undefined ? t('receipt.reference') : t('receipt.receiptNo'),
              <span key="id" className="rc-receipt-id">
                {row.id}
              </span>,
            ],
          ]}
        />
        <p className="rc-receipt-sign">{`${signature}: ______________________`}</p>
      </article>
      {afterReceipt}
      <p className="no-print">
        <Link to={`/${kind}s`}>
          {t(kind === 'collection' ? 'receipt.backToCollections' : 'receipt.backToPayments')}
        </Link>
        {links}
      </p>
    </Page>
  )
}

/**
 * Messages of a save error keyed by form field, with friendlier wording for
 * an id that is not one ("Choose a supplier"), in the chosen language.
 */
export function friendlyFieldErrors(fields: Record<string, string>, t: TFunction): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, message] of Object.entries(fields)) {
    if (/uuid/i.test(message)) out[key] = t('recordActions.choose', { what: fieldName(key).toLowerCase() })
    // No field shows the confirmation: its message is the form's.
    else if (key === 'confirmed_large') out._ = t('recordActions.notSaved', { message })
    else out[key] = message
  }
  return out
}

/**
 * The submit of a collection or payment form: the fields `required` names
 * (with the message for each when it is empty) and `check`'s rules first;
 * then `confirm` (an "Are you sure?"; false saves nothing); then the save on this device, a toast that says when it waits for a
 * connection, and the receipt. A failed save marks its fields.
 */
export function useRecordSubmit<T extends object>(
  kind: RecordKind,
  form: FormState<T>,
  {
    required,
    check,
    confirm,
    save,
  }: {
    required: Partial<Record<keyof T & string, string>>
    check?: (values: T) => Record<string, string>
    confirm?: (values: T) => boolean
    save: (values: T) => Promise<{ id: string }>
  },
) {
  const online = useSyncStatus((s) => s.online)
  const navigate = useNavigate()
  const toast = useToast()
  const { t } = useTranslation()
  return async (e: FormEvent) => {
    e.preventDefault()
    const { values } = form
    // From now on every field's live problem shows beside it, also as it is corrected.
    form.touch(...Object.keys(values))
    const missing: Record<string, string> = {}
    for (const [key, message] of Object.entries(required) as Array<[keyof T & string, string]>) {
      if (!String(values[key] ?? '').trim()) missing[key] = message
    }
    Object.assign(missing, check?.(values))
    form.setFormError(undefined)
    if (Object.keys(missing).length) {
      form.setErrors(missing)
      return
    }
    if (confirm && !confirm(values)) return
    await form.save(
      async () => {
        const row = await save(values)
        const saved =
          kind === 'collection'
            ? online
              ? t('receipt.savedCollection')
              : t('receipt.savedCollectionOffline')
            : online
              ? t('receipt.savedPayment')
              : t('receipt.savedPaymentOffline')
        toast(saved, 'success')
        navigate(`/${kind}s/${row.id}`, { replace: true })
      },
      (err) => friendlyFieldErrors(fieldErrors(err), t),
    )
  }
}
