/**
 * The scale on the collection form: "Connect Bluetooth scale" / "Connect USB
 * scale" (only those this browser can reach; nothing at all where it can reach
 * neither), then the live reading with whether it is stable, "Use this
 * weight" and "Disconnect scale". While `follow` is on, each new stable weight
 * fills the gross weight by itself (`onUse`); the form turns it off when the
 * person types the weight, and "Use this weight" turns it on again.
 */
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { errorMessage, money } from '../lib/format'
import {
  connectScale,
  disconnectScale,
  reconnectRememberedScale,
  scaleTransports,
  useConnectedScale,
} from './connected-scale'
import type { ScaleState, ScaleTransport } from './scale'
import { gramsToKg, quantityIn } from './scale-readings'
import './devices.css'

export interface ScaleWeight {
  quantity: string
  unit: string
  scaleId: string
}

/** The weight to fill from a state, if it is a stable one in a unit the form can take. */
function stableWeight(
  state: ScaleState | undefined,
  unit: string,
): { grams: bigint; quantity: string; unit: string } | undefined {
  const reading = state?.reading
  if (!state?.stable || reading?.kind !== 'weight') return undefined
  const q = quantityIn(reading.grams, unit)
  return q ? { grams: reading.grams, ...q } : undefined
}

export function ScalePanel({
  unit,
  follow,
  fromScale,
  onUse,
}: {
  /** The collection's unit as typed. */
  unit: string
  /** Stable weights fill the form by themselves. */
  follow: boolean
  /** The gross weight in the form is the scale's. */
  fromScale: boolean
  onUse: (weight: ScaleWeight) => void
}) {
  const { t } = useTranslation()
  const { scale, state } = useConnectedScale()
  const [connecting, setConnecting] = useState(false)
  const [error, setError] = useState<string>()
  const transports = scaleTransports()
  const lastFilled = useRef<bigint>(undefined)

  useEffect(() => {
    void reconnectRememberedScale()
  }, [])

  const weight = stableWeight(state, unit)
  useEffect(() => {
    if (!follow || !weight || !scale || weight.grams === lastFilled.current) return
    lastFilled.current = weight.grams
    onUse({ quantity: weight.quantity, unit: weight.unit, scaleId: scale.id })
  }, [follow, weight?.grams, weight?.unit, scale])

  if (transports.length === 0 && !scale) return null

  const connect = async (transport: ScaleTransport) => {
    setError(undefined)
    setConnecting(true)
    try {
      await connectScale(transport)
      lastFilled.current = undefined
    } catch (err) {
      // Closing the chooser is no error to show.
      if (!(err instanceof Error && err.name === 'NotFoundError'))
        setError(t('scale.failed', { message: errorMessage(err) }))
    } finally {
      setConnecting(false)
    }
  }

  const live = scale && state?.connected
  const reading = state?.reading
  const otherUnit = reading?.kind === 'weight' && quantityIn(reading.grams, unit) === undefined
  return (
    <fieldset className="dv-scale">
      <legend>{t('scale.legend')}</legend>
      {live ? (
        <>
          <p className="dv-scale-name">{t('scale.connectedTo', { name: scale.name })}</p>
          <p className="dv-reading">
            <span className="dv-reading-value" data-testid="scale-reading">
              {reading?.kind === 'weight' ? `${money(gramsToKg(reading.grams))} kg` : '—'}
            </span>{' '}
            <span
              className={`dv-reading-state${state.stable ? ' dv-stable' : ''}`}
              role="status"
              data-testid="scale-state"
            >
              {readingWords(state, t)}
            </span>
          </p>
          {reading?.kind === 'weight' && reading.net ? <p className="hint">{t('scale.netShown')}</p> : null}
          {otherUnit ? <p className="rc-notice">{t('scale.otherUnit', { unit })}</p> : null}
          <div className="dv-actions">
            <button
              type="button"
              className="primary"
              disabled={!weight}
              onClick={() => {
                if (!weight) return
                lastFilled.current = weight.grams
                onUse({ quantity: weight.quantity, unit: weight.unit, scaleId: scale.id })
              }}
            >
              {t('scale.useWeight')}
            </button>
            <button type="button" onClick={() => void disconnectScale()}>
              {t('scale.disconnect')}
            </button>
          </div>
          {fromScale ? (
            <p className="hint">{t('scale.fromScale')}</p>
          ) : !follow ? (
            <p className="hint">{t('scale.typedOver')}</p>
          ) : null}
        </>
      ) : (
        <>
          {scale && !state?.connected ? <p className="rc-notice">{t('scale.gone')}</p> : null}
          <div className="dv-actions">
            {transports.map((transport) => (
              <button key={transport} type="button" disabled={connecting} onClick={() => void connect(transport)}>
                {t(transport === 'bluetooth' ? 'scale.connectBluetooth' : 'scale.connectUsb')}
              </button>
            ))}
          </div>
          {connecting ? <p className="hint">{t('scale.connecting')}</p> : null}
          {fromScale ? <p className="hint">{t('scale.fromScale')}</p> : null}
        </>
      )}
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  )
}

/** What the reading's state says: stable, settling, or why there is no weight to take. */
function readingWords(state: ScaleState, t: (key: string) => string): string {
  const reading = state.reading
  if (!reading) return t('scale.waiting')
  if (reading.kind === 'overload') return t('scale.overload')
  if (reading.kind === 'fault') return t('scale.fault')
  if (reading.grams <= 0n) return t('scale.empty')
  return state.stable ? t('scale.stable') : t('scale.settling')
}
