/**
 * An app outside the workspace uses the packed libraries (issue 13, done
 * when): `npm pack` of core, client and react, installed into a temporary
 * folder with `npm install <tarballs>` (their third-party dependencies from
 * the registry or npm's cache), then imported from plain Node ESM and from a
 * TypeScript project with `moduleResolution: node16`, type-checked by tsc.
 * Each writes offline on the memory store and syncs against a real server on
 * loopback. One install serves both.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import {
  createTestDb,
  createUser,
  type ServerProcess,
  startServerProcess,
  type TestDb,
} from '@trackvault/server/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

const run = promisify(execFile)
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const tsc = join(root, 'node_modules/typescript/bin/tsc')
const PASSWORD = 'outside-app-password'

let app: string
let db: TestDb
let server: ServerProcess

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'trackvault-outside-app-'))
  // Packing runs each package's prepack, which builds it.
  await run(
    'npm',
    [
      'pack',
      '--silent',
      '--pack-destination',
      app,
      '-w',
      '@trackvault/core',
      '-w',
      '@trackvault/client',
      '-w',
      '@trackvault/react',
    ],
    {
      cwd: root,
    },
  )
  const tarballs = readdirSync(app).filter((f) => f.endsWith('.tgz'))
  expect(tarballs).toHaveLength(3)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'outside-app', private: true, type: 'module' }))
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...tarballs.map((t) => `./${t}`),
      'react@^19',
      '@types/node@^20',
    ],
    { cwd: app },
  )

  db = await createTestDb()
  await createUser(db.handle.db, { name: 'Outside', email: 'outside@example.com', password: PASSWORD, role: 'manager' })
  server = await startServerProcess(db.env)
}, 300_000)

afterAll(async () => {
  await server?.stop()
  await db?.drop()
  if (app) rmSync(app, { recursive: true, force: true })
})

/** The app: sign in, go offline, write, come back, sync; prints what it saw. */
const program = (typed: boolean) => `
import { createSyncClient${typed ? ', type FetchLike' : ''} } from '@trackvault/client'
import { createMemoryStore } from '@trackvault/client/memory'
import { useAutoSync } from '@trackvault/react'

const [url, email, password] = process.argv.slice(2)
let offline = false
const online${typed ? ': FetchLike' : ''} = (input, init) =>
  offline ? Promise.reject(new TypeError('fetch failed: offline')) : fetch(input, init)
const client = createSyncClient({ baseUrl: url, storage: createMemoryStore(), fetch: online, syncIntervalMs: 0, live: false })
await client.login(email, password)
offline = true
const supplier = await client.suppliers.create({ code: 'OUT-${typed ? 'TS' : 'JS'}', name: 'Written offline' })
const pending = await client.unsyncedCount()
offline = false
const summary = await client.sync()
const row = await client.suppliers.get(supplier.id)
console.log(JSON.stringify({ pending, successful: summary.successful, version: row?.version, react: typeof useAutoSync }))
await client.close()
`

async function expectSynced(stdout: string, code: string) {
  expect(JSON.parse(stdout.trim())).toEqual({ pending: 1, successful: 1, version: 1, react: 'function' })
  const rows = await db.handle.db.selectFrom('suppliers').select(['code', 'name']).where('code', '=', code).execute()
  expect(rows).toEqual([{ code, name: 'Written offline' }])
}

describe('@trackvault/client installed from its tarball', () => {
  test('plain Node ESM (.mjs) writes offline and syncs', async () => {
    writeFileSync(join(app, 'app.mjs'), program(false))
    const { stdout } = await run(process.execPath, ['app.mjs', server.url, 'outside@example.com', PASSWORD], {
      cwd: app,
    })
    await expectSynced(stdout, 'OUT-JS')
  })

  test('TypeScript with moduleResolution node16 type-checks, and its output writes offline and syncs', async () => {
    writeFileSync(join(app, 'app.mts'), program(true))
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          lib: ['es2023'],
          types: ['node'],
          strict: true,
          skipLibCheck: true,
          outDir: 'out',
        },
        files: ['app.mts'],
      }),
    )
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app })
    const { stdout } = await run(process.execPath, ['out/app.mjs', server.url, 'outside@example.com', PASSWORD], {
      cwd: app,
    })
    await expectSynced(stdout, 'OUT-TS')
  })
})
