/**
 * Texts of the supplier, deduction and product screens (suppliers, supplier form and detail, deductions, products, product form and detail, rate form).
 * Swahili, Sinhala and Tamil are MACHINE DRAFTS (docs/translations.md).
 */
import { area } from '../area'

export const recordsTexts = area({}, { sw: {}, si: {}, ta: {} })
