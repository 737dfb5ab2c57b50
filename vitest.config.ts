import { defineConfig } from 'vitest/config'

// The server suite runs twice: once on SQLite, once on PostgreSQL. PostgreSQL
// comes from TEST_DATABASE_URL (this machine's server by default); if it cannot
// be reached the postgres project fails, it never skips.
const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'core', include: ['packages/core/**/*.test.ts'] },
      },
      {
        test: { name: 'client', include: ['packages/client/**/*.test.ts', 'apps/web/src/**/*.test.ts'] },
      },
      {
        test: {
          name: 'react',
          environment: 'jsdom',
          include: ['packages/react/**/*.test.{ts,tsx}'],
          setupFiles: ['packages/react/test/setup.ts'],
        },
      },
      {
        test: {
          name: 'server-sqlite',
          include: ['packages/server/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'sqlite' },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'server-postgres',
          include: ['packages/server/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'web',
          include: ['tests/web/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'sqlite' },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One browser at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e-sqlite',
          include: ['tests/e2e/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'sqlite' },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e-postgres',
          include: ['tests/e2e/**/*.test.ts'],
          env: { TRACKVAULT_TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      // The seeded fault simulation (sim/, RELIABILITY.md): its CI budget once per database.
      {
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
