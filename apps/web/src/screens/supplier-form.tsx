/**
 * Create (/suppliers/new) or edit (/suppliers/:id/edit) a supplier. Saving
 * writes to the device at once (online or not) and queues the change; the
 * code is checked against the suppliers on this device before that.
 */
import { useSyncClient } from '@trackvault/react'
import { type FormEvent, useEffect, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router'
import { Field, FieldFrame, FormError, NotFound, Page } from '../components/ui'
import { useFormState } from '../lib/form-state'
import { codeFieldErrors, errorMessage } from '../lib/format'
import { useCan } from '../lib/permissions'
import { useToast } from '../lib/toast'
import { useSupplier, useSuppliers } from '../lib/typed-rows'
import './suppliers.css'

interface Values {
  code: string
  name: string
  phone: string
  email: string
  address: string
  is_active: boolean
}

const EMPTY: Values = { code: '', name: '', phone: '', email: '', address: '', is_active: true }

/** Deletes a supplier after asking, then opens the list; `onError` gets the message if that fails. */
export function useDeleteSupplier(onError: (message: string) => void) {
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  return async (supplier: { id: string; name: string; code: string }) => {
    if (
      !window.confirm(
        `Delete supplier ${supplier.name} (${supplier.code})? Their collections and payments stay in the records.`,
      )
    )
      return
    try {
      await client.suppliers.remove(supplier.id)
      toast('Supplier deleted', 'success')
      navigate('/suppliers')
    } catch (err) {
      onError(errorMessage(err))
    }
  }
}

export function SupplierForm() {
  const { id } = useParams()
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const { can } = useCan()
  const { data: supplier, isLoading } = useSupplier(id)
  const { data: all } = useSuppliers()

  const form = useFormState<Values>(EMPTY)
  const { values, errors, set, setValues } = form
  const [loadedId, setLoadedId] = useState<string>()
  const deleteSupplier = useDeleteSupplier(form.setFormError)

  // Fill the form once with the stored supplier (later syncs do not overwrite what is being typed).
  useEffect(() => {
    if (id && supplier && loadedId !== id) {
      setValues({
        code: supplier.code,
        name: supplier.name,
        phone: supplier.phone ?? '',
        email: supplier.email ?? '',
        address: supplier.address ?? '',
        is_active: supplier.is_active,
      })
      setLoadedId(id)
    }
  }, [id, supplier, loadedId, setValues])

  if (id && isLoading) return <p className="loading">Loading…</p>
  if (id && !supplier) return <NotFound kind="supplier" />

  if (id && loadedId !== id) return <p className="loading">Loading…</p>

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    form.setFormError(undefined)
    const code = values.code.trim()
    const clash = (all ?? []).find((s) => s.code === code && s.id !== id)
    if (clash) {
      form.setErrors({ code: `already used by ${clash.name}` })
      return
    }
    const input = {
      code,
      name: values.name.trim(),
      phone: values.phone.trim() || null,
      email: values.email.trim() || null,
      address: values.address.trim() || null,
      is_active: values.is_active,
    }
    form.setBusy(true)
    try {
      const row = id ? await client.suppliers.update(id, input) : await client.suppliers.create(input)
      toast(id ? 'Supplier saved' : 'Supplier created', 'success')
      navigate(`/suppliers/${row.id}`)
    } catch (err) {
      form.fail(err, codeFieldErrors(err))
    } finally {
      form.setBusy(false)
    }
  }

  return (
    <Page title={id ? `Edit ${supplier?.name ?? 'supplier'}` : 'New supplier'}>
      <form className="card" onSubmit={submit} noValidate aria-label={id ? 'Edit supplier' : 'New supplier'}>
        <Field
          label="Code"
          required
          autoComplete="off"
          maxLength={40}
          value={values.code}
          error={errors.code}
          hint="Letters, digits, dot, dash and underscore"
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
          label="Phone"
          type="tel"
          autoComplete="off"
          maxLength={40}
          value={values.phone}
          error={errors.phone}
          onChange={(e) => set({ phone: e.target.value })}
        />
        <Field
          label="Email"
          type="email"
          autoComplete="off"
          maxLength={200}
          value={values.email}
          error={errors.email}
          onChange={(e) => set({ email: e.target.value })}
        />
        <FieldFrame
          label="Address"
          error={errors.address}
          className="sp-textarea"
          control={(props) => (
            <textarea
              {...props}
              maxLength={500}
              value={values.address}
              onChange={(e) => set({ address: e.target.value })}
            />
          )}
        />
        <label className="sp-check">
          <input type="checkbox" checked={values.is_active} onChange={(e) => set({ is_active: e.target.checked })} />
          Active
        </label>
        {errors.is_active ? <div className="error-text">{errors.is_active}</div> : null}
        <FormError message={form.formError} />
        <div className="sp-form-actions">
          <button type="submit" className="primary" disabled={form.busy}>
            {form.busy ? 'Saving…' : id ? 'Save changes' : 'Create supplier'}
          </button>
          <Link to={id ? `/suppliers/${id}` : '/suppliers'} className="sp-button">
            Cancel
          </Link>
          {id && can('supplier', 'delete') ? (
            <button type="button" className="danger" onClick={() => supplier && deleteSupplier(supplier)}>
              Delete supplier
            </button>
          ) : null}
        </div>
      </form>
    </Page>
  )
}
