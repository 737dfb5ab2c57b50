/**
 * `@trackvault/client/testing`: the one test suite every KVStore adapter
 * passes, for adapters written outside this package. It runs under vitest
 * (an optional peer dependency, with fast-check), so it is not part of the
 * main entry.
 */
export { type CrashPoint, runStoreSuite, type StoreHandle, type StoreSuiteOptions } from './storage/kv-store.suite'
