/**
 * The collection point (issue 20) in Chromium on a phone: a collector, with no
 * signal, connects a Bluetooth scale, the gross weight fills from its stable
 * reading, the collection is saved on the device and its receipt printed on a
 * Bluetooth receipt printer; a second collection's weight is typed over the
 * scale's. Back online both sync; the server records which weight came from
 * the scale (and which scale) and which was typed, and the "typed" filter
 * lists only the typed one. Each collection queues a text message to the
 * supplier (the fake SMS provider, down while they sync); the server is
 * restarted and the provider comes back: each message arrives exactly once.
 *
 * The only fakes are the devices: `navigator.bluetooth` is replaced before the
 * app loads by a fake scale (Weight Scale Service 0x181D, notifying Weight
 * Measurement 0x2A9D values: settling, then steady at 12.345 kg) and a fake
 * printer (service 0x18F0, write characteristic 0x2AF1) that keeps what is
 * written to it in `window.__printed`.
 */
import { collectionMessageId } from '@trackvault/core'
import { FakeSmsProvider } from '@trackvault/server/testing'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { faintControls, seriousViolations, summarize } from './a11y'
import {
  api,
  goToScreen,
  PASSWORD,
  PHONE,
  pendingCount,
  pickSupplier,
  startWebHarness,
  type WebHarness,
  waitFor,
} from './harness'

let h: WebHarness
let sms: FakeSmsProvider
/** Retries within the test's time, not the production half minute. */
const FAST_SMS = {
  TRACKVAULT_SMS_RETRY_BASE_MS: '200',
  TRACKVAULT_SMS_RETRY_MAX_MS: '500',
  TRACKVAULT_SMS_POLL_MS: '100',
}
beforeAll(async () => {
  sms = await FakeSmsProvider.start()
  h = await startWebHarness({ env: { ...sms.env('africastalking'), ...FAST_SMS } })
})
afterAll(async () => {
  await h?.close()
  await sms?.close()
})

/** Runs in the page before the app: the fake Web Bluetooth with one scale and one printer. */
function fakeBluetooth() {
  const w = window as unknown as Record<string, unknown>
  const printed: number[] = []
  const chunks: number[] = []
  const requests: unknown[] = []
  w.__printed = printed
  w.__chunks = chunks
  w.__requests = requests
  const uuid = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-1000-8000-00805f9b34fb`
  const gatt = (services: (id: number) => unknown, all: () => unknown[]) => {
    const server = {
      connected: false,
      connect: async () => {
        server.connected = true
        return server
      },
      disconnect: () => {
        server.connected = false
      },
      getPrimaryService: async (id: number) => {
        const service = services(id)
        if (!service) throw new DOMException('No such service', 'NotFoundError')
        return service
      },
      getPrimaryServices: async () => all(),
    }
    return server
  }

  // The scale: 11.2, 12.0, 12.6, 12.2, 12.4, 12.33 kg while the bag settles, then 12.345 kg (2469 x 5 g), every 100 ms.
  const settling = [2240, 2400, 2520, 2440, 2480, 2466]
  let timer: ReturnType<typeof setInterval> | undefined
  const measurement = Object.assign(new EventTarget(), {
    uuid: uuid(0x2a9d),
    value: undefined as DataView | undefined,
    properties: { write: false, writeWithoutResponse: false, notify: false, indicate: true },
    startNotifications: async () => {
      let sent = 0
      timer = setInterval(() => {
        const raw = settling[sent++] ?? 2469
        measurement.value = new DataView(Uint8Array.from([0x00, raw & 0xff, raw >> 8]).buffer)
        measurement.dispatchEvent(new Event('characteristicvaluechanged'))
      }, 100)
      return measurement
    },
    stopNotifications: async () => {
      clearInterval(timer)
      return measurement
    },
  })
  const scaleService = { uuid: uuid(0x181d), getCharacteristic: async () => measurement }
  const scale = Object.assign(new EventTarget(), {
    id: 'FAKE-SCALE-1',
    name: 'Fake platform scale',
    gatt: gatt(
      (id) => (id === 0x181d ? scaleService : undefined),
      () => [scaleService],
    ),
  })

  // The printer: keeps every byte written, and each write's size.
  const write = async (value: Uint8Array) => {
    chunks.push(value.byteLength)
    printed.push(...new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
  }
  const writeCharacteristic = Object.assign(new EventTarget(), {
    uuid: uuid(0x2af1),
    properties: { write: true, writeWithoutResponse: true, notify: false, indicate: false },
    writeValueWithResponse: write,
    writeValueWithoutResponse: write,
  })
  const printerService = { uuid: uuid(0x18f0), getCharacteristics: async () => [writeCharacteristic] }
  const printer = Object.assign(new EventTarget(), {
    id: 'FAKE-PRINTER-1',
    name: 'Fake receipt printer',
    gatt: gatt(
      () => undefined,
      () => [printerService],
    ),
  })

  const bluetooth = {
    requestDevice: async (options: { filters?: Array<{ services?: number[] }> }) => {
      requests.push(options)
      return options.filters?.some((f) => f.services?.includes(0x181d)) ? scale : printer
    },
  }
  Object.defineProperty(Navigator.prototype, 'bluetooth', { value: bluetooth, configurable: true })
}

const grossField = (page: Page) => page.getByLabel('Gross quantity')

async function expectAccessible(page: Page, where: string) {
  const violations = await seriousViolations(page)
  expect(violations, summarize(where, violations)).toEqual([])
  expect(await faintControls(page)).toEqual([])
}

test('a scale fills the weight offline, the receipt prints on a Bluetooth printer, the typed weight is told apart, each collection texts the supplier exactly once across an outage and a restart', async () => {
  const context = await h.newContext(PHONE)
  await context.addInitScript(fakeBluetooth)
  const page = await context.newPage()
  await h.signIn(page, 'collector')
  // The first sync brought the supplier and the product's rate.
  await goToScreen(page, 'Suppliers')
  await page.getByRole('link', { name: 'Kamau Farm' }).waitFor()
  await context.setOffline(true)
  await page.locator('.offline-banner').waitFor()

  // A new collection, weighed on the scale.
  await goToScreen(page, 'Collect')
  await pickSupplier(page, 'Kamau', 'Kamau Farm')
  await page.getByRole('button', { name: 'Connect Bluetooth scale' }).click()
  await page.getByText('Scale: Fake platform scale').waitFor()
  // While the load settles the form waits (the state and the empty field read together, in the page).
  await page.waitForFunction(() => {
    const state = document.querySelector('[data-testid="scale-state"]')?.textContent
    const gross = [...document.querySelectorAll('label')].find((l) => l.textContent === 'Gross quantity')
    const input = gross && document.getElementById(gross.htmlFor)
    return state === 'Settling…' && (input as HTMLInputElement | null)?.value === ''
  })
  await page.getByTestId('scale-state').getByText('Stable').waitFor()
  await waitFor(async () => (await grossField(page).inputValue()) === '12.345', 'the gross weight from the scale')
  expect(await page.getByTestId('scale-reading').textContent()).toBe('12.345 kg')
  await page.getByText('Gross weight read from the scale.').waitFor()
  // The connected scale's panel, as axe reads it (the a11y test sees only its Connect buttons).
  await expectAccessible(page, 'collection form, scale connected')
  // 12.345 kg x 120.00, priced on the device.
  await waitFor(
    async () => (await page.getByTestId('collection-amount').textContent())?.includes('1,481.40') ?? false,
    'the amount preview',
  )
  await page.getByRole('button', { name: 'Save collection' }).click()
  await page.getByText('Not yet synced', { exact: false }).first().waitFor()
  const receiptNumber = (await page.getByTestId('receipt-number').textContent()) ?? ''
  expect(receiptNumber).toMatch(/^[A-Z]+-\d+$/)
  expect(await page.getByTestId('receipt-weight-source').textContent()).toBe('From a scale (ble:FAKE-SCALE-1)')

  // Printed on the Bluetooth printer, 58 mm.
  await page.getByLabel('Printer', { exact: true }).selectOption({ label: 'Bluetooth receipt printer' })
  expect(await page.getByLabel('Paper width').inputValue()).toBe('58')
  await page.getByRole('button', { name: 'Print', exact: true }).click()
  await page.getByText('Sent to Fake receipt printer.').waitFor()
  await expectAccessible(page, 'receipt, printed on a Bluetooth printer')
  const { printed, chunks, requests } = await page.evaluate(() => {
    const w = window as unknown as { __printed: number[]; __chunks: number[]; __requests: unknown[] }
    return { printed: w.__printed, chunks: w.__chunks, requests: w.__requests }
  })
  expect(requests).toEqual([
    { filters: [{ services: [0x181d] }] },
    expect.objectContaining({ acceptAllDevices: true, optionalServices: expect.arrayContaining([0x18f0]) }),
  ])
  const bytes = Buffer.from(printed)
  expect([...bytes.subarray(0, 2)]).toEqual([0x1b, 0x40]) // ESC @
  expect([...bytes.subarray(-3)]).toEqual([0x1d, 0x56, 1]) // GS V 1: partial cut
  const text = bytes.toString('latin1')
  expect(text).toContain(receiptNumber)
  expect(text).toMatch(/Net +12\.345 kg\n/)
  expect(text).toContain('ble:FAKE-SCALE-1')
  expect(chunks.length).toBeGreaterThan(1)
  expect(Math.max(...chunks)).toBeLessThanOrEqual(180)
  expect(chunks.reduce((a, b) => a + b, 0)).toBe(bytes.length)

  // A second collection: the scale fills it too, then the collector types another weight over it.
  await goToScreen(page, 'Collect')
  await pickSupplier(page, 'Kamau', 'Kamau Farm')
  await waitFor(async () => (await grossField(page).inputValue()) === '12.345', 'the still connected scale')
  await grossField(page).fill('7.5')
  await page.getByText('Typed by hand: the scale’s reading is not used.').waitFor()
  await page.getByRole('button', { name: 'Save collection' }).click()
  await page.getByText('Not yet synced', { exact: false }).first().waitFor()
  expect(await page.getByTestId('receipt-weight-source').textContent()).toBe('Typed by hand')
  const typedNumber = (await page.getByTestId('receipt-number').textContent()) ?? ''

  // Back online, while the SMS provider is down: both sync, and each queues its text message.
  sms.down('503')
  await context.setOffline(false)
  await waitFor(async () => (await pendingCount(page)) === 0, 'the queue to drain', 30_000)

  // The server has where each weight came from; the manager's "typed" list has the typed one only.
  const { token } = await api(h.server.url, undefined, 'POST', '/api/auth/login', {
    email: h.users.manager.email,
    password: PASSWORD,
  })
  const all = (await api(h.server.url, token, 'GET', `/api/collections?user_id=${h.users.collector.id}`)).data
  const byNumber = new Map(all.map((c: { receipt_number: string }) => [c.receipt_number, c]))
  expect(byNumber.get(receiptNumber)).toMatchObject({
    weight_source: 'scale',
    scale_id: 'ble:FAKE-SCALE-1',
    quantity: '12.345',
  })
  expect(byNumber.get(typedNumber)).toMatchObject({ weight_source: 'typed', scale_id: null, quantity: '7.500' })
  const typed = (await api(h.server.url, token, 'GET', '/api/collections?weight_source=typed')).data
  const typedNumbers = typed.map((c: { receipt_number: string }) => c.receipt_number)
  expect(typedNumbers).toContain(typedNumber)
  expect(typedNumbers).not.toContain(receiptNumber)

  // The text messages: queued with the collections, tried while the provider is down (and refused),
  // the server restarted gracefully, the provider back: each received exactly once.
  const ids = [byNumber.get(receiptNumber), byNumber.get(typedNumber)].map((c) =>
    collectionMessageId((c as { id: string }).id),
  )
  const outbox = () => h.db.handle.db.selectFrom('notifications').select(['message_id', 'status', 'attempts']).execute()
  await waitFor(async () => {
    const rows = await outbox()
    return rows.length === 2 && rows.every((r) => Number(r.attempts) >= 1 && r.status !== 'sent')
  }, 'both messages tried while the provider is down')
  expect((await outbox()).map((r) => r.message_id).sort()).toEqual([...ids].sort())
  expect(sms.messages).toHaveLength(0)
  await h.restartServer()
  sms.up()
  await sms.waitFor(() => sms.messages.length >= 2, 15_000)
  await waitFor(async () => (await outbox()).every((r) => r.status === 'sent'), 'both messages marked sent')
  // Another poll or two of the worker: nothing is sent again.
  await new Promise((r) => setTimeout(r, 500))
  expect(sms.messages).toHaveLength(2)
  for (const id of ids) expect(sms.withKey(id)).toHaveLength(1)
  expect(sms.messages.map((m) => m.to)).toEqual(['+254700000001', '+254700000001'])
  expect(sms.withKey(ids[0])[0].body).toContain(receiptNumber)
  expect(sms.withKey(ids[0])[0].body).toContain('12.345')

  // The same filter on the device's list, which marks the typed row.
  await goToScreen(page, 'Collections')
  const rows = page.locator('.rc-table tbody')
  const listed = async (shown: string, hidden: string) => {
    const text = (await rows.textContent()) ?? ''
    return text.includes(shown) && !text.includes(hidden)
  }
  await page.getByLabel('Weight', { exact: true }).selectOption({ label: 'Typed by hand' })
  await waitFor(() => listed(typedNumber, receiptNumber), 'the typed collection alone')
  expect(await rows.locator('.badge-typed:visible').count()).toBe(1)
  await page.getByLabel('Weight', { exact: true }).selectOption({ label: 'From a scale' })
  await waitFor(() => listed(receiptNumber, typedNumber), 'the weighed collection alone')
  expect(await rows.locator('.badge-typed:visible').count()).toBe(0)
  await context.close()
})
