/**
 * The synced entities: what a client may write (input schemas) and what the
 * server answers (the `*Row` types). Field names follow the original app.
 * Server-owned fields (version, pricing, authorship, timestamps) are absent
 * from the input schemas, so they can never be mass-assigned.
 */

import { z } from 'zod'
import { type DeductionInput, deductionInput } from './deductions'
import {
  bankAccountField,
  codeField,
  dateField,
  gradeField,
  idField,
  mobileNumberField,
  moneyField,
  nameField,
  partRateField,
  percentField,
  quantityField,
  rateField,
  receiptNumberField,
  textField,
  unitField,
  weightField,
} from './fields'
import { LANGUAGE_CODES } from './languages'
import { fieldProblem } from './problems'
import {
  type SettlementLineFields,
  type SettlementRunFields,
  settlementLineInput,
  settlementRunInput,
} from './settlement-records'

export const ROLES = ['admin', 'manager', 'finance', 'collector'] as const
export type Role = (typeof ROLES)[number]

export const ENTITY_TYPES = [
  'supplier',
  'product',
  'product_rate',
  'collection',
  'payment',
  'deduction',
  'settlement_run',
  'settlement_line',
  'route',
  'route_assignment',
] as const
/**
 * The entity types that sync. Settlement runs and lines are written by the server only (the
 * settlement routes); devices read them like the others.
 */
export type EntityType = (typeof ENTITY_TYPES)[number]

export const PAYMENT_TYPES = ['advance', 'partial', 'full'] as const
/**
 * How a product is priced: one rate per unit (`flat`), a rate per grade (`graded`: leaf grades), or
 * a quality formula (`quality`: milk, base + fat% x fat_rate + SNF% x snf_rate per unit).
 */
export const PRICING_MODES = ['flat', 'graded', 'quality'] as const
export type PricingMode = (typeof PRICING_MODES)[number]

/** How a supplier is paid out: cash at the centre, a bank bulk transfer, a mobile money bulk payment. */
export const PAYOUT_METHODS = ['cash', 'bank_transfer', 'mobile_money'] as const
export type PayoutMethod = (typeof PAYOUT_METHODS)[number]

/** Where a collection's weight came from: a connected scale or a person's typing (the anti-tamper view). */
export const WEIGHT_SOURCES = ['typed', 'scale'] as const
export type WeightSource = (typeof WEIGHT_SOURCES)[number]

export const PAYMENT_METHODS = ['cash', 'bank_transfer', 'cheque', 'mobile_payment'] as const

export const supplierInput = z.object({
  code: codeField(),
  name: nameField(),
  phone: z.string().trim().max(40).nullable().default(null),
  email: z.email().max(200).nullable().default(null),
  address: textField(500).default(null),
  is_active: z.boolean().default(true),
  payout_method: z.enum(PAYOUT_METHODS).default('cash'),
  bank_name: textField(100).default(null),
  bank_account: bankAccountField().default(null),
  /** Where mobile money payouts go; the payout file uses `phone` when this is null. */
  mobile_money_number: mobileNumberField().default(null),
  /** The route (collection or buying centre) the supplier belongs to; null: every collector's (scope.ts). */
  route_id: idField().nullable().default(null),
  /** The supplier asked for no text messages (notifications.ts). */
  sms_opt_out: z.boolean().default(false),
  /** The language of the supplier's text messages; null: the business's (settings `locale`). */
  language: z.enum(LANGUAGE_CODES).nullable().default(null),
})

/** A route: a collection or buying centre and the suppliers it serves (scope.ts). */
export const routeInput = z.object({
  code: codeField(),
  name: nameField(),
  description: textField(500).default(null),
  is_active: z.boolean().default(true),
})

/** A collector serves a route from `valid_from` to `valid_to` (inclusive; null: open-ended). */
export const routeAssignmentInput = z.object({
  route_id: idField(),
  user_id: idField(),
  valid_from: dateField(),
  valid_to: dateField().nullable().default(null),
})

export const productInput = z.object({
  code: codeField(),
  name: nameField(),
  description: textField().default(null),
  default_unit: unitField(),
  is_active: z.boolean().default(true),
  pricing: z.enum(PRICING_MODES).default('flat'),
  /** The grades a graded product is collected and priced in. */
  grades: z.array(gradeField()).max(20).default([]),
})

export const productRateInput = z.object({
  product_id: idField(),
  unit: unitField(),
  rate: rateField(),
  effective_date: dateField(),
  end_date: dateField().nullable().default(null),
  is_active: z.boolean().default(true),
  /** The grade this rate prices (graded products); null for the others. */
  grade: gradeField().nullable().default(null),
  /** Quality products: `rate` is the base, plus these per percentage point of fat and SNF, per unit. */
  fat_rate: partRateField().nullable().default(null),
  snf_rate: partRateField().nullable().default(null),
})

/** The most containers one collection may be weighed in. */
export const MAX_CONTAINERS = 10_000
const CONTAINERS = fieldProblem('whole_number_up_to', { max: MAX_CONTAINERS })

export const collectionInput = z.object({
  supplier_id: idField(),
  product_id: idField(),
  /** Only admins and managers may record for someone else; defaults to the caller. */
  user_id: idField().optional(),
  collection_date: dateField(),
  /** The gross weight or volume, as the scale reads it. */
  quantity: quantityField(),
  unit: unitField(),
  notes: textField().default(null),
  /** The tare of one container (a bag, a can), subtracted once per container. */
  tare_per_container: weightField().default('0.000'),
  containers: z
    .number({ error: CONTAINERS })
    .int(CONTAINERS)
    .min(0, CONTAINERS)
    .max(MAX_CONTAINERS, CONTAINERS)
    .default(0),
  /** Water or poor quality, in percent of the weight after tare (tea leaf on a rainy day: 2-10). */
  deduction_percent: percentField().default('0.00'),
  /** Graded products: one of the product's grades. */
  grade: gradeField().nullable().default(null),
  /** Quality products (milk): the readings at the collection point. */
  fat_percent: percentField().nullable().default(null),
  snf_percent: percentField().nullable().default(null),
  /** The person entering it confirmed a quantity over the business's limit for unusual weights. */
  confirmed_large: z.boolean().default(false),
  /**
   * The number printed on the supplier's receipt, made on the device (its receipt prefix and its
   * own count, settings.ts `receiptNumber`), unique in the business; the server numbers the
   * collections that arrive without one (`S-<n>`).
   */
  receipt_number: receiptNumberField().nullable().default(null),
  /** Where the gross weight came from: read from a scale (`scale_id` names it) or typed by hand. */
  weight_source: z.enum(WEIGHT_SOURCES).default('typed'),
  /** The scale that weighed it (its Bluetooth id or the name its serial port was given); null when typed. */
  scale_id: z.string().trim().min(1).max(100).nullable().default(null),
})

export const paymentInput = z.object({
  supplier_id: idField(),
  /** Only admins, managers and finance may record for someone else; defaults to the caller. */
  user_id: idField().optional(),
  payment_date: dateField(),
  amount: moneyField(),
  payment_type: z.enum(PAYMENT_TYPES),
  payment_method: z.enum(PAYMENT_METHODS).default('cash'),
  reference_number: z.string().trim().max(100).nullable().default(null),
  notes: textField().default(null),
  /** The person entering it confirmed an amount over the business's limit for unusual payments. */
  confirmed_large: z.boolean().default(false),
})

/** Create-input schema of each entity type. */
export const ENTITY_INPUTS = {
  supplier: supplierInput,
  product: productInput,
  product_rate: productRateInput,
  collection: collectionInput,
  payment: paymentInput,
  deduction: deductionInput,
  settlement_run: settlementRunInput,
  settlement_line: settlementLineInput,
  route: routeInput,
  route_assignment: routeAssignmentInput,
} as const satisfies Record<EntityType, z.ZodObject>

/** Fields common to every synced row, all owned by the server. */
export interface SyncedFields {
  id: string
  version: number
  created_at: string
  updated_at: string
  deleted_at: string | null
  created_by: string | null
  updated_by: string | null
  sync_metadata: Record<string, unknown> | null
}

export type SupplierInput = z.output<typeof supplierInput>
export type ProductInput = z.output<typeof productInput>
export type ProductRateInput = z.output<typeof productRateInput>
export type CollectionInput = z.output<typeof collectionInput>
export type PaymentInput = z.output<typeof paymentInput>
export type RouteInput = z.output<typeof routeInput>
export type RouteAssignmentInput = z.output<typeof routeAssignmentInput>

export type Supplier = SyncedFields & SupplierInput
export type Product = SyncedFields & ProductInput
export type ProductRate = SyncedFields & ProductRateInput
/** A collection; unpriced (the pricing fields null) while no rate covers it. */
export type Collection = SyncedFields &
  Omit<CollectionInput, 'user_id'> & {
    user_id: string
    /** Gross less tare and deduction (pricing.ts `netQuantity`): what is paid for. */
    net_quantity: string
    product_rate_id: string | null
    rate_applied: string | null
    total_amount: string | null
  }
export type Payment = SyncedFields & Omit<PaymentInput, 'user_id'> & { user_id: string }
/** A deduction (deductions.ts): what a business recovers from a supplier at settlement. */
export type Deduction = SyncedFields & DeductionInput
/** A settlement run (settlement-records.ts). */
export type SettlementRunRow = SyncedFields & SettlementRunFields
/** One supplier's line of a run: its statement. */
export type SettlementLineRow = SyncedFields & SettlementLineFields
export type Route = SyncedFields & RouteInput
export type RouteAssignment = SyncedFields & RouteAssignmentInput

/** The row type of each entity type, as the server answers it. */
export interface EntityRows {
  supplier: Supplier
  product: Product
  product_rate: ProductRate
  collection: Collection
  payment: Payment
  deduction: Deduction
  settlement_run: SettlementRunRow
  settlement_line: SettlementLineRow
  route: Route
  route_assignment: RouteAssignment
}
export type AnyEntityRow = EntityRows[EntityType]

/** Fields a client may write for each entity type (keys of the input schema). */
export function writableFields(type: EntityType): string[] {
  return Object.keys(ENTITY_INPUTS[type].shape)
}

/** A colleague as lists name them (GET /api/people): who recorded a collection or payment. */
export type Person = Pick<User, 'id' | 'name' | 'role' | 'is_active'>

/** A user as the API shows it (never the password hash). */
export interface User {
  id: string
  name: string
  email: string
  role: Role
  is_active: boolean
  created_at: string
  updated_at: string
}
