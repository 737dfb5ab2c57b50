/**
 * Products with the rate in force today for each of their units (resolved
 * on the device from the local rates, so offline too), and a form to add a
 * product for roles that may.
 */
import { useSyncClient } from '@trackvault/react'
import { type FormEvent, useMemo, useState } from 'react'
import { Link, useNavigate } from 'react-router'
import { Empty, Field, FormError, Page, SyncBadge } from '../components/ui'
import { errorMessage, fieldErrors, money, today } from '../lib/format'
import { useCan } from '../lib/permissions'
import { currentRates } from '../lib/product-rates'
import { useToast } from '../lib/toast'
import { type ProductView, useProductRates, useProducts } from '../lib/typed-rows'
import './suppliers.css'

interface NewProduct {
  code: string
  name: string
  description: string
  default_unit: string
  is_active: boolean
}

const EMPTY: NewProduct = { code: '', name: '', description: '', default_unit: '', is_active: true }

function ProductCreateForm({ products, onDone }: { products: readonly ProductView[]; onDone: () => void }) {
  const client = useSyncClient()
  const navigate = useNavigate()
  const toast = useToast()
  const [values, setValues] = useState<NewProduct>(EMPTY)
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string>()
  const [busy, setBusy] = useState(false)

  const set =
    <K extends keyof NewProduct>(key: K) =>
    (value: NewProduct[K]) => {
      setValues((v) => ({ ...v, [key]: value }))
      setErrors((e) => {
        if (!e[key]) return e
        const { [key]: _, ...rest } = e
        return rest
      })
    }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setFormError(undefined)
    const code = values.code.trim()
    const clash = products.find((p) => p.code === code)
    if (clash) {
      setErrors({ code: `already used by ${clash.name}` })
      return
    }
    setBusy(true)
    try {
      const row = await client.products.create({
        code,
        name: values.name.trim(),
        description: values.description.trim() || null,
        default_unit: values.default_unit,
        is_active: values.is_active,
      })
      toast('Product created', 'success')
      onDone()
      navigate(`/products/${row.id}`)
    } catch (err) {
      const fields = fieldErrors(err)
      if ((err as { code?: string }).code === 'DUPLICATE' && Object.keys(fields).length === 0)
        fields.code = 'already used'
      const { _: whole, ...perField } = fields
      setErrors(perField)
      setFormError(whole ?? (Object.keys(perField).length ? 'Please correct the marked fields.' : errorMessage(err)))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="new-product-title">
      <h2 id="new-product-title" className="sp-form-title">
        New product
      </h2>
      <Field
        label="Code"
        required
        autoComplete="off"
        maxLength={40}
        value={values.code}
        error={errors.code}
        onChange={(e) => set('code')(e.target.value)}
      />
      <Field
        label="Name"
        required
        maxLength={200}
        value={values.name}
        error={errors.name}
        onChange={(e) => set('name')(e.target.value)}
      />
      <Field
        label="Default unit"
        required
        autoComplete="off"
        placeholder="kg, l, bundle…"
        maxLength={20}
        value={values.default_unit}
        error={errors.default_unit}
        onChange={(e) => set('default_unit')(e.target.value)}
      />
      <Field
        label="Description"
        maxLength={2000}
        value={values.description}
        error={errors.description}
        onChange={(e) => set('description')(e.target.value)}
      />
      <label className="sp-check">
        <input type="checkbox" checked={values.is_active} onChange={(e) => set('is_active')(e.target.checked)} />
        Active
      </label>
      <FormError message={formError} />
      <div className="sp-form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Create product'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}

export function ProductsList() {
  const { can } = useCan()
  const [search, setSearch] = useState('')
  const [creating, setCreating] = useState(false)
  const { data: products, isLoading } = useProducts({ search: search.trim() || undefined })
  const { data: allProducts } = useProducts()
  const { data: rates } = useProductRates()
  const date = today()
  const rows = products ?? []
  const rateRows = useMemo(() => rates ?? [], [rates])

  return (
    <Page
      title="Products"
      actions={
        can('product', 'create') && !creating ? (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            New product
          </button>
        ) : undefined
      }
    >
      {creating ? <ProductCreateForm products={allProducts ?? []} onDone={() => setCreating(false)} /> : null}
      <search className="filters" aria-label="Find products">
        <Field
          label="Search"
          type="search"
          placeholder="Name or code…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </search>
      <p className="sp-count" aria-live="polite">
        {isLoading ? 'Loading…' : `${rows.length} product${rows.length === 1 ? '' : 's'}`}
      </p>
      {!isLoading && rows.length === 0 ? <Empty>{search ? 'No product matches.' : 'No products yet.'}</Empty> : null}
      {rows.length > 0 ? (
        <div className="table-wrap">
          <table className="sp-table">
            <caption className="sr-only">Products with the rate in force today ({date})</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Name</th>
                <th scope="col" className="sp-wide">
                  Default unit
                </th>
                <th scope="col">Rate today</th>
                <th scope="col" className="sp-wide">
                  Status
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const current = currentRates(p, rateRows, date)
                return (
                  <tr key={p.id}>
                    <td>{p.code}</td>
                    <td>
                      <Link to={`/products/${p.id}`}>{p.name}</Link>
                      <SyncBadge state={p._sync} />
                    </td>
                    <td className="sp-wide">{p.default_unit}</td>
                    <td>
                      {current.length ? (
                        <ul className="sp-rates">
                          {current.map(({ unit, rate }) => (
                            <li key={unit}>
                              {money(rate.rate)} / {unit}
                              <SyncBadge state={rate._sync} />
                            </li>
                          ))}
                        </ul>
                      ) : (
                        <span className="sp-muted">No rate in force</span>
                      )}
                    </td>
                    <td className="sp-wide">
                      <span className={`badge ${p.is_active ? 'sp-on' : 'sp-off'}`}>
                        {p.is_active ? 'Active' : 'Inactive'}
                      </span>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </Page>
  )
}
