/**
 * The product form: new (on the products list) or edit (on the product's
 * page). The code is checked against the products on this device first.
 */
import { useSyncClient } from '@trackvault/react'
import type { FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { Field, FormError } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { codeFieldErrors } from '../lib/format'
import { useToast } from '../lib/toast'
import { type ProductView, useProducts } from '../lib/typed-rows'
import './suppliers.css'

interface Values {
  code: string
  name: string
  description: string
  default_unit: string
  is_active: boolean
}

const EMPTY: Values = { code: '', name: '', description: '', default_unit: '', is_active: true }

/** Edits `product`, or creates a product (and opens it) without one. */
export function ProductForm({ product, onDone }: { product?: ProductView; onDone: () => void }) {
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { data: all } = useProducts()
  const creating = !product
  const form = useFormState<Values>(() =>
    product
      ? {
          code: product.code,
          name: product.name,
          description: product.description ?? '',
          default_unit: product.default_unit,
          is_active: product.is_active,
        }
      : EMPTY,
  )
  const { values, errors, set } = form

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    form.setFormError(undefined)
    const code = values.code.trim()
    const clash = (all ?? []).find((p) => p.code === code && p.id !== product?.id)
    if (clash) {
      form.setErrors({ code: `already used by ${clash.name}` })
      return
    }
    const input = {
      code,
      name: values.name.trim(),
      description: values.description.trim() || null,
      default_unit: values.default_unit,
      is_active: values.is_active,
    }
    form.setBusy(true)
    try {
      if (product) {
        await client.products.update(product.id, input)
        toast('Product saved', 'success')
        onDone()
      } else {
        const row = await client.products.create(input)
        toast('Product created', 'success')
        onDone()
        navigate(`/products/${row.id}`)
      }
    } catch (err) {
      form.fail(err, codeFieldErrors(err))
    } finally {
      form.setBusy(false)
    }
  }

  const titleId = creating ? 'new-product-title' : 'edit-product-title'
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby={titleId}>
      <h2 id={titleId} className="sp-form-title">
        {creating ? 'New product' : 'Edit product'}
      </h2>
      <Field
        label="Code"
        required
        autoComplete={creating ? 'off' : undefined}
        maxLength={40}
        value={values.code}
        error={errors.code}
        onChange={(e) => set({ code: e.target.value })}
      />
      <Field
        label="Name"
        required
        maxLength={200}
        value={values.name}
        error={errors.name}
        onChange={(e) => set({ name: e.target.value })}
      />
      <Field
        label="Default unit"
        required
        autoComplete={creating ? 'off' : undefined}
        placeholder={creating ? 'kg, l, bundle…' : undefined}
        maxLength={20}
        value={values.default_unit}
        error={errors.default_unit}
        onChange={(e) => set({ default_unit: e.target.value })}
      />
      <Field
        label="Description"
        maxLength={2000}
        value={values.description}
        error={errors.description}
        onChange={(e) => set({ description: e.target.value })}
      />
      <label className="sp-check">
        <input type="checkbox" checked={values.is_active} onChange={(e) => set({ is_active: e.target.checked })} />
        Active
      </label>
      <FormError message={form.formError} />
      <div className="sp-form-actions">
        <button type="submit" className="primary" disabled={form.busy}>
          {form.busy ? 'Saving…' : creating ? 'Create product' : 'Save product'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}
