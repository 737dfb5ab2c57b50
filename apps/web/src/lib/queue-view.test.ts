import type { QueuedOp } from '@trackvault/client'
import { describe, expect, it } from 'vitest'
import '../i18n' // English, the texts of i18n/
import {
  canMerge,
  conflictRows,
  displayValue,
  fieldLabel,
  formToPayload,
  mergeableFields,
  mergeFields,
  opSubject,
  opSubjectWithRow,
  payloadToForm,
  serverDeleted,
} from './queue-view'

const base = { id: 's1', version: 3, code: 'S-1', name: 'Kamau', phone: '+1', email: null, address: 'Nyeri' }
const server = { ...base, version: 4, name: 'Kamau Farm', phone: '+2', updated_at: 'x' }

function op(over: Partial<QueuedOp> = {}): QueuedOp {
  return {
    local_id: 'op-1',
    seq: 1,
    user_id: 'u1',
    entity_type: 'supplier',
    entity_id: 's1',
    operation_type: 'update',
    base_version: 3,
    payload: { name: 'Kamau Farms Ltd', address: 'Karatina' },
    client_timestamp: '2026-11-24T10:00:00Z',
    status: 'conflict',
    attempts: 1,
    recorded: true,
    conflict: {
      server_version: 4,
      base,
      server,
      client: { name: 'Kamau Farms Ltd', address: 'Karatina' },
      fields: ['name'],
    },
    ...over,
  }
}

describe('conflictRows', () => {
  it('lists conflicting fields first, then the other fields changed here', () => {
    const rows = conflictRows(op())
    expect(rows.map((r) => [r.field, r.inConflict, r.changedHere])).toEqual([
      ['name', true, true],
      ['address', false, true],
    ])
    expect(rows[0]).toMatchObject({ base: 'Kamau', server: 'Kamau Farm', yours: 'Kamau Farms Ltd' })
  })

  it('shows a delete as a deleted_at row', () => {
    const rows = conflictRows(
      op({ operation_type: 'delete', payload: {}, conflict: { ...op().conflict!, client: {}, fields: [] } }),
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ field: 'deleted_at', yours: 'Deleted by you' })
  })

  it('never offers server-owned fields', () => {
    const o = op({
      conflict: { ...op().conflict!, client: { name: 'x', version: 9, updated_at: 'y' }, fields: ['name'] },
    })
    expect(conflictRows(o).map((r) => r.field)).toEqual(['name'])
  })
})

describe('merge', () => {
  it('keeps non-conflicting changes and uses the chosen side per field', () => {
    expect(mergeFields(op(), { name: 'yours' })).toEqual({ name: 'Kamau Farms Ltd', address: 'Karatina' })
    expect(mergeFields(op(), { name: 'server' })).toEqual({ name: 'Kamau Farm', address: 'Karatina' })
    expect(mergeFields(op(), {})).toEqual({ name: 'Kamau Farm', address: 'Karatina' })
  })

  it('is not offered for deletes or rows deleted on the server', () => {
    expect(canMerge(op())).toBe(true)
    expect(mergeableFields(op())).toEqual(['name'])
    expect(canMerge(op({ operation_type: 'delete' }))).toBe(false)
    const gone = op({
      conflict: {
        ...op().conflict!,
        server: { ...server, deleted_at: '2026-11-24T00:00:00Z' },
        fields: ['deleted_at'],
      },
    })
    expect(serverDeleted(gone)).toBe(true)
    expect(canMerge(gone)).toBe(false)
  })
})

describe('labels', () => {
  it('names the subject by name, code, else id', () => {
    expect(opSubject(op())).toBe('Kamau Farm')
    expect(opSubject({ entity_id: 'c1', payload: { quantity: '1' }, conflict: undefined })).toBe('c1')
    expect(opSubject({ entity_id: 'p1', payload: { code: 'P-1' }, conflict: undefined })).toBe('P-1')
    expect(
      opSubject({
        entity_id: 'c2',
        payload: { quantity: '50.5', unit: 'kg', collection_date: '2026-11-24' },
        conflict: undefined,
      }),
    ).toBe('50.5 kg on 2026-11-24')
    expect(
      opSubject({ entity_id: 'p2', payload: { amount: '10.00', payment_date: '2026-11-24' }, conflict: undefined }),
    ).toBe('10.00 paid on 2026-11-24')
  })

  it('falls back on the local row for an update delta', () => {
    const delta = { entity_id: 's9', payload: { phone: '+3' }, conflict: undefined }
    expect(opSubject(delta)).toBe('s9')
    expect(opSubjectWithRow(delta, { name: 'Otieno Growers', phone: '+2' })).toBe('Otieno Growers')
    expect(opSubjectWithRow({ ...delta, payload: { name: 'New name' } }, { name: 'Old' })).toBe('New name')
  })

  it('formats values and field names', () => {
    expect(displayValue(null)).toBe('—')
    expect(displayValue(true)).toBe('Yes')
    expect(displayValue('50.500')).toBe('50.500')
    expect(fieldLabel('reference_number')).toBe('Reference number')
  })

  it('names suppliers, products and collectors, never showing their ids', () => {
    const names = {
      supplier_id: (id: string) => (id === 's1' ? 'Kamau Farm' : undefined),
      product_id: () => 'Green tea leaf',
      user_id: () => 'Collector Web',
    }
    expect(fieldLabel('supplier_id')).toBe('Supplier')
    expect(fieldLabel('product_id')).toBe('Product')
    expect(fieldLabel('user_id')).toBe('Collector')
    expect(fieldLabel('run_id')).toBe('Run')
    expect(displayValue('s1', 'supplier_id', names)).toBe('Kamau Farm')
    expect(displayValue('s2', 'supplier_id', names)).toBe('Unknown supplier')
    expect(displayValue('u1', 'user_id', names)).toBe('Collector Web')
    expect(displayValue('s1', 'supplier_id')).toBe('Unknown supplier')
    const collection = {
      entity_id: 'c2',
      payload: { supplier_id: 's1', product_id: 'p1', quantity: '50.5', unit: 'kg', collection_date: '2026-11-24' },
      conflict: undefined,
    }
    expect(opSubject(collection, names)).toBe('Kamau Farm: 50.5 kg Green tea leaf on 2026-11-24')
    expect(opSubject(collection)).toBe('50.5 kg on 2026-11-24')
    const payment = {
      entity_id: 'p2',
      payload: { supplier_id: 's1', amount: '10.00', payment_date: '2026-11-24' },
      conflict: undefined,
    }
    expect(opSubject(payment, names)).toBe('Kamau Farm: 10.00 paid on 2026-11-24')
    const rate = {
      entity_id: 'r1',
      payload: { product_id: 'p1', rate: '120.00', unit: 'kg', effective_date: '2026-01-01' },
      conflict: undefined,
    }
    expect(opSubject(rate, names)).toBe('Green tea leaf: 120.00 per kg from 2026-01-01')
  })
})

describe('failed operation edit form', () => {
  const payload = { supplier_id: 's1', amount: '10.00', notes: null, is_active: true, count: 3, rate_applied: '1.00' }

  it('turns a payload into fields, leaving server-owned ones out', () => {
    const fields = payloadToForm(payload)
    expect(fields.map((f) => [f.key, f.kind, f.value])).toEqual([
      ['supplier_id', 'supplier_id', 's1'],
      ['amount', 'text', '10.00'],
      ['notes', 'text', ''],
      ['is_active', 'boolean', true],
      ['count', 'number', '3'],
    ])
  })

  it('turns edited values back into a payload', () => {
    const fields = payloadToForm(payload)
    expect(formToPayload(payload, fields, { amount: '12.50', notes: '  ', is_active: false, count: '4' })).toEqual({
      ...payload,
      amount: '12.50',
      notes: null,
      is_active: false,
      count: 4,
    })
  })

  it('edits supplier, product and user ids with pickers, and leaves other ids out', () => {
    const withIds = { supplier_id: 's1', product_id: 'p1', user_id: 'u1', run_id: 'r1', quantity: '5.000' }
    const fields = payloadToForm(withIds)
    expect(fields.map((f) => [f.key, f.kind])).toEqual([
      ['supplier_id', 'supplier_id'],
      ['product_id', 'product_id'],
      ['user_id', 'user_id'],
      ['quantity', 'text'],
    ])
    expect(formToPayload(withIds, fields, { supplier_id: 's2' })).toEqual({ ...withIds, supplier_id: 's2' })
    // An emptied picker keeps the id it had (the server would refuse a missing one anyway).
    expect(formToPayload(withIds, fields, { supplier_id: '' })).toEqual(withIds)
  })
})
