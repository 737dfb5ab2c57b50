/**
 * `@trackvault/server/testing`: what code outside the server package (sim/,
 * bench/, tests/) may use of the server's insides, in one declared entry: the
 * app and its database for in-process servers, the storage mapping and the
 * push operation shape for checks and fixtures, direct writes for seeding,
 * the helpers that start a server on loopback against a fresh database, and
 * a fake SMS provider (the one edge that cannot be real here).
 * Development only: the entry has no built form, so it resolves only with the
 * `@trackvault/source` condition (vitest, tsx with `--conditions`).
 */
export { type AppOptions, buildApp } from '../app'
export { hashPassword } from '../auth/passwords'
export { issueToken } from '../auth/tokens'
export { toUser } from '../auth/users'
export { backupSqlite } from '../cli/backup'
export { restoreSqliteFile } from '../cli/restore'
export { type DbHandle, openDatabase } from '../db/database'
export { migrateToLatest } from '../db/migrate'
export type { Database, SyncedColumns, UsersTable } from '../db/schema'
export { openSqlite } from '../db/sqlite/sqlite-dialect'
export { createEntity } from '../domain/entity-service'
export { currentEpoch, markRestored } from '../domain/epoch'
export { TABLES, toColumns, toWire } from '../domain/mappers'
export { type Actor, runWrite } from '../domain/write-context'
export { loggerOptions, requestIdGenerator } from '../plugins/request-log'
export { legacyPushSchema } from '../sync/legacy'
export type { PushOperation } from '../sync/push'
export {
  FAKE_SMS_CREDENTIALS,
  type FakeSms,
  type FakeSmsCredentials,
  FakeSmsProvider,
} from './fake-sms-provider'
export { copyTemplate, dropCopy, uniqueName } from './pg-template'
export { freePort, SERVER_CLI, type ServerProcess, startServerProcess, waitHealthy } from './server-process'
export { createTestDb, pgAdmin, TEST_DIALECT, type TestDb } from './test-db'
export { cheapPasswordHash, createUser } from './users'
