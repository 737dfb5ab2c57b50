/**
 * Real processes under load (issue 6, "Real processes"):
 *
 * 1. Eight real SyncClients (memory stores; admin, managers, finance,
 *    collectors) create and edit collections, payments and suppliers and sync
 *    continuously while the server process is SIGKILLed at random moments
 *    (seeded) at least 25 times and restarted on the same port and database.
 * 2. PostgreSQL only: the same load against a private PostgreSQL cluster that
 *    is restarted mid-load (fast, then immediate = crash recovery); the server
 *    process survives it (requests during the outage answer 503 and clients
 *    retry).
 *
 * Then the network heals, every queue drains, and the invariants of
 * tests/helpers/crash-load.ts are checked against the database itself.
 * Replay a run: CRASH_SEED=<seed> (printed) with the same command; the seed
 * fixes every choice (kill moments, each client's writes), not the
 * interleaving of real processes.
 *
 * The other half of "Real processes", the pull cursor under many concurrent
 * writers and pullers on PostgreSQL, is proven in
 * packages/server/test/sync-pull.test.ts ("concurrent writers and pullers").
 */
import type { Role } from '@trackvault/core'
import {
  createUser,
  type Database,
  migrateToLatest,
  openDatabase,
  type ServerProcess,
  startServerProcess,
  TEST_DIALECT,
} from '@trackvault/server/testing'
import type { Kysely } from 'kysely'
import { afterAll, describe, expect, test } from 'vitest'
import { startHarness } from '../helpers/client-harness'
import {
  checkInvariants,
  drain,
  type Fixture,
  LOAD_PASSWORD,
  type LoadUser,
  loadClient,
  loginRetrying,
  makeWorker,
  type NetStats,
  newNetStats,
  Rng,
  runWorker,
  setupFixture,
  sleep,
  type Worker,
} from '../helpers/crash-load'
import { postgresBin, startPrivatePostgres } from '../helpers/private-postgres'

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
const KILLS = Number(process.env.CRASH_KILLS ?? 25)
/** Request logs of thousands of requests would only cost CPU here. */
const QUIET = { LOG_LEVEL: 'warn' }
const ROLES: Role[] = ['admin', 'manager', 'manager', 'finance', 'finance', 'collector', 'collector', 'collector']

async function makeUsers(db: Kysely<Database>): Promise<LoadUser[]> {
  const users: LoadUser[] = []
  for (const [i, role] of ROLES.entries()) {
    const email = `load${i}-${role}@crash.local`
    const u = await createUser(db, { name: `Load ${i} ${role}`, email, password: LOAD_PASSWORD, role })
    users.push({ id: u.id, email, role })
  }
  return users
}

/**
 * Cleanup runs after the file, also when a test timed out (its body may
 * still be running then: `aborted` stops its loops), so no server process
 * or PostgreSQL cluster outlives the run.
 */
const cleanups: Array<() => Promise<unknown>> = []
let aborted = false
afterAll(async () => {
  aborted = true
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
})

interface Load {
  workers: Worker[]
  fixture: Fixture
  setupDevice: string
  net: NetStats
  stop(): Promise<void>
  errors: unknown[]
}

/** Logs every user in on its own device, builds the fixture, and starts every worker. */
async function startLoad(url: string, users: LoadUser[]): Promise<Load> {
  const net = newNetStats()
  const setup = loadClient(url, net)
  await loginRetrying(setup, users[0].email)
  const fixture = await setupFixture(setup)
  await setup.close()
  const workers: Worker[] = []
  for (const [i, user] of users.entries()) {
    const client = loadClient(url, net)
    await loginRetrying(client, user.email)
    await client.sync()
    workers.push(makeWorker(i, user, client, SEED))
  }
  let stopped = false
  const errors: unknown[] = []
  const running = workers.map((w) =>
    runWorker(w, fixture, () => stopped).catch((err) => {
      errors.push(err)
    }),
  )
  return {
    workers,
    fixture,
    setupDevice: setup.device,
    net,
    errors,
    stop: async () => {
      stopped = true
      await Promise.all(running)
    },
  }
}

/** Drains, checks every invariant against `db`, prints the figures; returns them. */
async function settleAndCheck(db: Kysely<Database>, load: Load, label: string, extra: Record<string, unknown>) {
  const t = Date.now()
  const rounds = await drain(load.workers)
  const balances = await load.workers[0].client.request<Record<string, unknown>>('GET', '/api/reports/balances')
  const report = await checkInvariants(db, load.workers, { setupDevices: [load.setupDevice], balances })
  const w = load.workers
  const sum = (f: (x: Worker) => number) => w.reduce((n, x) => n + f(x), 0)
  const figures = {
    ...extra,
    operations: sum((x) => x.writes),
    synced_ok: sum((x) => x.synced.successful),
    conflicts_resolved: report.figures.conflictsResolved,
    resolved_use_server: sum((x) => x.resolved.use_server),
    resolved_force: sum((x) => x.resolved.force),
    failures_discarded: report.figures.failuresDiscarded,
    failure_codes: Object.fromEntries(
      [...new Set(w.flatMap((x) => Object.keys(x.discarded)))].map((c) => [c, sum((x) => x.discarded[c] ?? 0)]),
    ),
    failures: w.flatMap((x) => x.failures.map((f) => `client ${x.index} ${f}`)).slice(0, 10),
    syncs_interrupted: sum((x) => x.synced.syncErrors),
    requests: load.net.requests,
    requests_refused: load.net.refused,
    requests_cut_mid_flight: load.net.cut,
    answers_503: load.net.unavailable,
    answers_other_5xx: load.net.internal,
    replays_answered_duplicate: load.net.duplicates,
    drain_rounds: rounds,
    drain_ms: Date.now() - t,
    rows: report.figures.rows,
    versions: report.figures.versions,
    change_log: report.figures.changes,
    anomalies: report.anomalies.length,
  }
  console.log(`[${label}] ${TEST_DIALECT} seed ${SEED}\n${JSON.stringify(figures, null, 1)}`)
  for (const w of load.workers) await w.client.close()
  return { report, figures }
}

test(`the server SIGKILLed ${KILLS} times under load from ${ROLES.length} clients: exactly once, replicas equal, history and change log whole`, async () => {
  const t0 = Date.now()
  const cpu0 = process.cpuUsage()
  console.log(
    `[server-crash] seed ${SEED}; replay: CRASH_SEED=${SEED} npx vitest run --project e2e-${TEST_DIALECT} tests/e2e/server-crash.test.ts`,
  )
  const h = await startHarness()
  let load: Load | undefined
  cleanups.push(async () => {
    await load?.stop()
    await h.close()
  })
  const users = await makeUsers(h.db.handle.db)
  load = await startLoad(h.server.url, users)
  const rng = new Rng(SEED)
  const port = new URL(h.server.url).port
  const downMs: number[] = []
  let kills = 0
  const pids = new Set<number>()
  for (let k = 0; k < KILLS && !aborted; k++) {
    // Under load: the clients are back (their reconnection trigger), the new process has answered
    // a few requests, then a random moment.
    for (const w of load.workers) w.quietUntil = 0
    const answered = load.net.answered
    for (let i = 0; i < 60 && load.net.answered < answered + 8; i++) await sleep(50)
    await sleep(rng.int(0, 400))
    pids.add(h.server.child.pid as number)
    const code = await h.server.stop('SIGKILL')
    expect(code).toBeNull() // killed by the signal, not exited by itself
    kills += 1
    const t = Date.now()
    // Same port, same database; a generous deadline, as start-up is slow on a busy machine.
    h.server = await startServerProcess({ ...h.env, ...QUIET, PORT: port }, 90_000)
    downMs.push(Date.now() - t)
    if (kills % 5 === 0) console.log(`[server-crash] ${TEST_DIALECT} ${kills} kills, ${Date.now() - t0} ms`)
  }
  pids.add(h.server.child.pid as number)
  await sleep(500)
  await load.stop()
  expect(load.errors).toEqual([])
  const { report, figures } = await settleAndCheck(h.db.handle.db, load, 'server-crash', {
    kills,
    server_processes: pids.size,
    mean_restart_ms: Math.round(downMs.reduce((a, b) => a + b, 0) / downMs.length),
    load_ms: Date.now() - t0,
    test_process_cpu_ms: Math.round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000),
  })
  expect(report.anomalies).toEqual([])
  expect(figures.answers_other_5xx).toBe(0)
  expect(kills).toBeGreaterThanOrEqual(25)
  expect(figures.operations).toBeGreaterThan(200)
  console.log(`[server-crash] ${TEST_DIALECT} total ${Date.now() - t0} ms`)
}, 600_000)

// SQLite lives inside the server process: there is no database server to
// restart apart from the process, whose SIGKILL the test above covers.
describe.skipIf(TEST_DIALECT !== 'postgres' || !postgresBin())('PostgreSQL restarted mid-load', () => {
  test('a private PostgreSQL cluster restarted (fast, then immediate) under load: the server survives, nothing is lost or doubled', async () => {
    const t0 = Date.now()
    const cluster = await startPrivatePostgres()
    const handle = openDatabase({ databaseUrl: cluster.url, poolSize: 4 })
    let server: ServerProcess | undefined
    let load: Load | undefined
    cleanups.push(async () => {
      await load?.stop()
      await server?.stop('SIGKILL')
      await handle.close().catch(() => {})
      await cluster.destroy()
    })
    await migrateToLatest(handle.db)
    const users = await makeUsers(handle.db)
    server = await startServerProcess({ DATABASE_URL: cluster.url, TRACKVAULT_RATE_LIMIT: '100000', ...QUIET })
    const pid = server.child.pid
    load = await startLoad(server.url, users)
    const outages: number[] = []
    for (const mode of ['fast', 'immediate'] as const) {
      await sleep(2000)
      const t = Date.now()
      await cluster.restart(mode)
      outages.push(Date.now() - t)
      // Requests keep coming while PostgreSQL is back: the pool reconnects.
      await sleep(2000)
      expect(server.child.exitCode, `server exited after a ${mode} restart:\n${server.output()}`).toBeNull()
    }
    await sleep(1000)
    await load.stop()
    expect(load.errors).toEqual([])
    expect(server.child.pid).toBe(pid)
    expect(server.child.exitCode).toBeNull()
    const { report, figures } = await settleAndCheck(handle.db, load, 'postgres-restart', {
      postgres_restarts: outages.length,
      restart_ms: outages,
      load_ms: Date.now() - t0,
    })
    expect(report.anomalies).toEqual([])
    expect(figures.answers_other_5xx).toBe(0)
    // The outages were felt: some requests were answered 503 (and retried by the clients).
    expect(figures.answers_503).toBeGreaterThan(0)
    console.log(`[postgres-restart] total ${Date.now() - t0} ms`)
  }, 300_000)
})
