import { defaultClientConditions, defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

// The server suite runs twice: once on SQLite, once on PostgreSQL. PostgreSQL
// comes from TEST_DATABASE_URL (this machine's server by default); if it cannot
// be reached the postgres project fails, it never skips.
const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

// Our packages resolve to their sources (the `@trackvault/source` export
// condition), so tests run without a build; everything else as Vite resolves it.
const SOURCE = '@trackvault/source'
const sources = {
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
}
// Projects that spawn `trackvault serve` run the build; this rebuilds it first when a source is newer.
const serverBuild = 'scripts/build-server.mjs'

export default defineConfig({
  test: {
    projects: [
      {
        ...sources,
        test: { name: 'core', include: ['packages/core/**/*.test.ts'] },
      },
      {
        ...sources,
        test: { name: 'client', include: ['packages/client/**/*.test.ts', 'apps/web/src/**/*.test.ts'] },
      },
      {
        ...sources,
        test: {
          name: 'react',
          environment: 'jsdom',
          include: ['packages/react/**/*.test.{ts,tsx}'],
          setupFiles: ['packages/react/test/setup.ts'],
        },
      },
      {
        ...sources,
        test: {
          name: 'server-sqlite',
          globalSetup: [serverBuild],
          include: ['packages/server/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'sqlite' },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        ...sources,
        test: {
          name: 'server-postgres',
          globalSetup: [serverBuild],
          include: ['packages/server/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        ...sources,
        test: {
          name: 'web',
          globalSetup: [serverBuild],
          include: ['tests/web/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'sqlite' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        ...sources,
        test: {
          name: 'e2e-sqlite',
          globalSetup: [serverBuild],
          include: ['tests/e2e/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'sqlite' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...sources,
        test: {
          name: 'e2e-postgres',
          globalSetup: [serverBuild],
          include: ['tests/e2e/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // Packed libraries in an outside app, and the production build installed without dev dependencies.
      {
        ...sources,
        test: {
          name: 'packaging',
          globalSetup: [serverBuild],
          include: ['tests/packaging/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'sqlite', TEST_DATABASE_URL: pgUrl },
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      // The seeded fault simulation (sim/, RELIABILITY.md): its CI budget once per database.
      {
        ...sources,
        test: {
          name: 'sim-sqlite',
          include: ['sim/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'sqlite' },
          testTimeout: 180_000,
          hookTimeout: 60_000,
          maxConcurrency: 2,
        },
      },
      {
        ...sources,
        test: {
          name: 'sim-postgres',
          include: ['sim/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl },
          testTimeout: 180_000,
          hookTimeout: 60_000,
          maxConcurrency: 2,
        },
      },
    ],
  },
})
