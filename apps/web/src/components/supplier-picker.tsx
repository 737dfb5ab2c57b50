/**
 * The one supplier picker of the collection and payment forms and the sync
 * center's editor: a combobox (downshift's useCombobox: the WAI-ARIA 1.2
 * combobox pattern, listbox, aria-activedescendant) over the suppliers on
 * this device, so it works offline. Typing part of a code, name or phone
 * narrows the list (lib/supplier-search.ts); the suppliers this user picked
 * last come first (lib/recent-suppliers.ts). Built for one thumb on a 360 px
 * phone: the list opens under the input, every row is at least 44 px high;
 * on a desktop the arrow keys move through it and Enter picks. On a device
 * that holds only its routes' suppliers (a collector's), what matches none
 * of them can be looked up in the server's directory (./directory.tsx) and
 * added to the device, then it is picked.
 *
 *   <SupplierPicker suppliers={suppliers} value={values.supplier_id}
 *     onChange={(supplier_id) => set({ supplier_id })} error={errors.supplier_id} />
 */
import { useCombobox } from 'downshift'
import { useEffect, useId, useLayoutEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { supplierLabel } from '../lib/lookup'
import { useCan } from '../lib/permissions'
import { useRecentSuppliers } from '../lib/recent-suppliers'
import { useSession } from '../lib/session'
import { type PickerSupplier, pickerSuppliers } from '../lib/supplier-search'
import { DirectoryLookup } from './directory'
import './supplier-picker.css'

const toText = (s: PickerSupplier | null) => (s ? supplierLabel(s) : '')

export function SupplierPicker<S extends PickerSupplier>({
  suppliers,
  value,
  onChange,
  onBlur,
  error,
  disabled,
  label: labelGiven,
}: {
  /** The suppliers on this device (deleted and inactive ones are left out of the list, but the chosen one is named). */
  suppliers: readonly S[]
  /** The chosen supplier's id ('' for none). */
  value: string
  onChange: (id: string) => void
  /** Called when the picker loses the focus (for a check as the person leaves the field). */
  onBlur?: () => void
  error?: string
  disabled?: boolean
  label?: string
}) {
  const { t } = useTranslation()
  const label = labelGiven ?? t('supplierPicker.label')
  const { user } = useSession()
  const { scoped } = useCan()
  const [recent, remember] = useRecentSuppliers(user?.id)
  /** What is typed to search; undefined while the input shows the chosen supplier. */
  const [query, setQuery] = useState<string>()
  /** What was typed last that matched no supplier here (kept when the list closes): the directory may have it. */
  const [missed, setMissed] = useState<string>()
  const selected = suppliers.find((s) => s.id === value) ?? null
  const list = pickerSuppliers(suppliers, query ?? '', recent, value)
  const inputId = useId()
  const errorId = useId()
  const noteId = useId()

  const {
    isOpen,
    highlightedIndex,
    getLabelProps,
    getInputProps,
    getMenuProps,
    getItemProps,
    getToggleButtonProps,
    setHighlightedIndex,
  } = useCombobox<S>({
    items: list.items,
    inputId,
    selectedItem: selected,
    itemToString: toText,
    itemToKey: (s) => s?.id,
    onSelectedItemChange: ({ selectedItem }) => {
      setQuery(undefined)
      if (!selectedItem) return
      setMissed(undefined)
      remember(selectedItem.id)
      onChange(selectedItem.id)
    },
    onIsOpenChange: ({ isOpen: open }) => {
      if (!open) setQuery(undefined)
    },
    // `changes` is the whole next state.
    stateReducer: (state, { type, changes }) => {
      const T = useCombobox.stateChangeTypes
      // Escape never clears the choice: it closes the list and shows the chosen supplier again.
      if (type === T.InputKeyDownEscape) {
        return { ...changes, selectedItem: state.selectedItem, inputValue: toText(state.selectedItem) }
      }
      // Closing the list without picking (leaving the field, the toggle) shows the chosen supplier again.
      const picked = changes.selectedItem?.id !== state.selectedItem?.id
      if (state.isOpen && !changes.isOpen && !picked) return { ...changes, inputValue: toText(state.selectedItem) }
      return changes
    },
  })

  const typed = (query ?? '').trim()
  // What is typed matches one supplier: it is the active option, so Enter (or leaving the field) picks it.
  const onlyMatch = isOpen && typed !== '' && list.items.length === 1
  // (Before the browser paints, so an Enter right after the typing finds it active.)
  useLayoutEffect(() => {
    if (onlyMatch && highlightedIndex < 0) setHighlightedIndex(0)
  }, [onlyMatch, highlightedIndex, setHighlightedIndex])
  const noneHere = isOpen && typed !== '' && list.items.length === 0
  useEffect(() => {
    if (noneHere) setMissed(typed)
    else if (isOpen && typed !== '') setMissed(undefined)
  }, [noneHere, isOpen, typed])
  // A supplier added from the directory is picked once the sync brought it to this device, and the picker says so.
  const [arriving, setArriving] = useState<{ id: string; name: string }>()
  const [added, setAdded] = useState<string>()
  useEffect(() => {
    if (arriving && suppliers.some((s) => s.id === arriving.id)) {
      setArriving(undefined)
      setMissed(undefined)
      setAdded(arriving.name)
      remember(arriving.id)
      onChange(arriving.id)
    }
  }, [arriving, suppliers, remember, onChange])

  const note = !isOpen
    ? undefined
    : list.items.length === 0
      ? typed
        ? t('supplierPicker.noMatch', { typed })
        : t('supplierPicker.none')
      : list.more > 0
        ? t('supplierPicker.more', { count: list.more })
        : undefined

  return (
    <div className={`field spk${error ? ' field-error' : ''}`}>
      <label {...getLabelProps()} htmlFor={inputId}>
        {label}
      </label>
      <div className="spk-control">
        <input
          {...getInputProps({
            disabled,
            placeholder: t('supplierPicker.placeholder'),
            autoCapitalize: 'none',
            spellCheck: false,
            enterKeyHint: 'search',
            'aria-required': true,
            'aria-invalid': error ? true : undefined,
            'aria-describedby': [error ? errorId : '', note ? noteId : ''].filter(Boolean).join(' ') || undefined,
            // The search follows the typing in the same render (downshift's change callbacks come a render later).
            onChange: (e) => {
              setQuery(e.currentTarget.value)
              setAdded(undefined)
            },
            onFocus: (e) => e.currentTarget.select(),
            // Enter (a phone's "search" key) with the list open never submits the form.
            onKeyDown: (e) => {
              if (e.key === 'Enter' && isOpen) e.preventDefault()
            },
            onBlur: () => onBlur?.(),
          })}
        />
        <button
          type="button"
          className="spk-toggle"
          aria-label={isOpen ? t('supplierPicker.closeList') : t('supplierPicker.showList')}
          {...getToggleButtonProps({ disabled })}
        >
          <span aria-hidden="true">{isOpen ? '▴' : '▾'}</span>
        </button>
      </div>
      <ul {...getMenuProps({ className: 'spk-menu', hidden: !isOpen || list.items.length === 0 })}>
        {isOpen
          ? list.items.map((s, index) => (
              <li
                key={s.id}
                className={`spk-option${highlightedIndex === index ? ' spk-active' : ''}${s.id === value ? ' spk-chosen' : ''}`}
                {...getItemProps({ item: s, index })}
              >
                <span className="spk-name">{s.name}</span>
                <span className="spk-meta">
                  {s.code}
                  {s.phone ? ` · ${s.phone}` : ''}
                  {list.recent.has(s.id) ? <span className="spk-recent"> · {t('supplierPicker.recent')}</span> : null}
                </span>
              </li>
            ))
          : null}
      </ul>
      {note ? (
        <div id={noteId} className="hint spk-note" role="status">
          {note}
        </div>
      ) : null}
      {error ? (
        <div id={errorId} className="error-text" role="alert">
          {error}
        </div>
      ) : null}
      {scoped && missed && !disabled ? <DirectoryLookup key={missed} typed={missed} onAdded={setArriving} /> : null}
      {added ? (
        <div className="hint" role="status">
          {t('directory.addedStatus', { name: added })}
        </div>
      ) : null}
    </div>
  )
}
