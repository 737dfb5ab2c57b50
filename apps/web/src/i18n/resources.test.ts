import { describe, expect, it } from 'vitest'
import { en } from './en'
import { pickLanguage } from './languages'
import { si } from './si'
import { sw } from './sw'
import { ta } from './ta'

/** Every key path of a resource object ("home.waiting_one", ...). */
function keys(obj: object, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

function valueAt(obj: object, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], obj)
}

const DRAFTS = { sw, si, ta }

describe('translations', () => {
  for (const [code, resources] of Object.entries(DRAFTS)) {
    it(`${code} has exactly the English keys, none empty`, () => {
      expect(keys(resources).sort()).toEqual(keys(en).sort())
      for (const key of keys(resources)) expect(String(valueAt(resources, key)).trim(), key).not.toBe('')
    })

    it(`${code} keeps every {{placeholder}} of the English text`, () => {
      for (const key of keys(en)) {
        const wanted =
          String(valueAt(en, key))
            .match(/{{\w+}}/g)
            ?.sort() ?? []
        const got =
          String(valueAt(resources, key))
            .match(/{{\w+}}/g)
            ?.sort() ?? []
        expect(got, `${code} ${key}`).toEqual(wanted)
      }
    })

    it(`${code} is marked for a native speaker's review and is not English copied`, () => {
      expect(resources._meta.review).toBe('machine draft, needs a native speaker')
      const texts = keys(en).filter((k) => !k.startsWith('_meta.'))
      const same = texts.filter((k) => valueAt(en, k) === valueAt(resources, k))
      // Only texts that are codes or symbols may stay as they are ("SNF %", "Amount: —" is not one of them).
      expect(same.filter((k) => /[a-z]{3}/i.test(String(valueAt(en, k)).replace(/SNF|{{\w+}}/g, '')))).toEqual([])
    })
  }
})

describe('the language of a device', () => {
  it('is the stored choice, else the first browser language shipped, else English', () => {
    expect(pickLanguage('ta', ['sw-KE'])).toBe('ta')
    expect(pickLanguage(null, ['fr-FR', 'sw-KE', 'en'])).toBe('sw')
    expect(pickLanguage('xx', ['SI-lk'])).toBe('si')
    expect(pickLanguage(null, ['fr', 'de'])).toBe('en')
    expect(pickLanguage(undefined, [])).toBe('en')
  })
})
