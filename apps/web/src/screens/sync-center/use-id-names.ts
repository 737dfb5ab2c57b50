/**
 * Names for the supplier, product and user ids of queued operations, read
 * from this device (so the sync center names them offline): a deleted
 * supplier or product is named and marked "(deleted)".
 */
import { useTranslation } from 'react-i18next'
import { useLookups } from '../../lib/lookup'
import type { IdNames } from '../../lib/queue-view'
import { useUserNames } from '../../lib/user-names'

export function useIdNames(): IdNames {
  const { supplierById, productById } = useLookups()
  const userName = useUserNames()
  const { t } = useTranslation()
  const named = (row: { name: string; deleted_at?: string | null } | undefined) =>
    row ? (row.deleted_at ? t('syncWording.deletedName', { name: row.name }) : row.name) : undefined
  return {
    supplier_id: (id) => named(supplierById.get(id)),
    product_id: (id) => named(productById.get(id)),
    user_id: userName,
  }
}
