/**
 * Texts of the collection and payment lists, the payment form and receipt, reports, statements and the settlement screens (list, new run, run detail, payout results).
 * Swahili, Sinhala and Tamil are MACHINE DRAFTS (docs/translations.md).
 */
import { area } from '../area'

export const moneyTexts = area({}, { sw: {}, si: {}, ta: {} })
