/** JSON text for the adapters that store values as text (SQLite, AsyncStorage). */
import type { Json } from './kv-store'

/**
 * The JSON text of each put. One object put under several keys (a pull
 * stores a row as the server row and as its view) is serialised once.
 */
export function serialise(puts: Array<[string, Json]>): Array<[string, string]> {
  const texts = new Map<object, string>()
  return puts.map(([key, value]): [string, string] => {
    const shared = typeof value === 'object' && value !== null
    let text = shared ? texts.get(value) : undefined
    if (text === undefined) {
      text = JSON.stringify(value)
      if (typeof text !== 'string') throw new TypeError(`value at ${JSON.stringify(key)} is not JSON-serialisable`)
      if (shared) texts.set(value, text)
    }
    return [key, text]
  })
}
