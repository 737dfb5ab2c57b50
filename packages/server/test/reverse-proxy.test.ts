/**
 * TrackVault behind a real nginx, configured by the files we ship
 * (deploy/nginx/trackvault.conf and its snippet, with only names, ports and
 * paths replaced), over TLS, in front of the built server (`trackvault serve`).
 * Clients connect from different loopback addresses (127.0.0.2, 127.0.0.3),
 * so the proxy sees different clients while the server sees only the proxy.
 *
 * nginx must be installed (.ci/run installs it); without it this test fails.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { newId } from '@trackvault/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { freePort, type ServerProcess, startServerProcess } from '../src/testing/server-process'
import { createTestDb, type TestDb } from '../src/testing/test-db'
import { createUser } from '../src/testing/users'
import { type SseEvent, SseParser } from './helpers/sse-client'

const REPO = resolve(import.meta.dirname, '..', '..', '..')
const SITE = join(REPO, 'deploy', 'nginx', 'trackvault.conf')
const SNIPPET = join(REPO, 'deploy', 'nginx', 'trackvault-proxy.conf')
const PASSWORD = 'correct-horse-battery'
const CLIENT_A = '127.0.0.2'
const CLIENT_B = '127.0.0.3'

function findNginx(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']
  const found = dirs.map((d) => join(d, 'nginx')).find((p) => existsSync(p))
  if (!found) throw new Error('nginx is not installed (apt-get install nginx-light; .ci/run installs it)')
  return found
}

/** Replaces `from` in `text`, failing when the shipped file no longer has it (the test would test less). */
function replaceAll(text: string, from: string | RegExp, to: string): string {
  const hit = typeof from === 'string' ? text.includes(from) : from.test(text)
  if (!hit) throw new Error(`deploy/nginx/trackvault.conf no longer contains ${from}`)
  return typeof from === 'string' ? text.split(from).join(to) : text.replace(new RegExp(from, 'g'), to)
}

interface Proxy {
  port: number
  cert: string
  stop(): Promise<void>
}

/** Runs nginx with the shipped site (TLS on `port`) in front of the server on `upstreamPort`. */
async function startNginx(dir: string, upstreamPort: number): Promise<Proxy> {
  const nginx = findNginx()
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
    ],
    { stdio: 'ignore' },
  )
  const port = await freePort()
  const plainPort = await freePort()
  let site = readFileSync(SITE, 'utf8')
  site = replaceAll(site, /^\s*listen \[::\].*$/m, '') // no IPv6 on every CI machine
  site = replaceAll(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${port} ssl http2;`)
  site = replaceAll(site, 'listen 80;', `listen 127.0.0.1:${plainPort};`)
  site = replaceAll(site, '/etc/letsencrypt/live/trackvault.example.com/fullchain.pem', cert)
  site = replaceAll(site, '/etc/letsencrypt/live/trackvault.example.com/privkey.pem', key)
  site = replaceAll(site, 'trackvault.example.com', 'localhost')
  site = replaceAll(site, '127.0.0.1:8080', `127.0.0.1:${upstreamPort}`)
  site = replaceAll(site, '127.0.0.1:8081', `127.0.0.1:${upstreamPort}`)
  site = replaceAll(site, '/etc/nginx/snippets/trackvault-proxy.conf', SNIPPET)
  writeFileSync(join(dir, 'site.conf'), site)
  for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, t), { recursive: true })
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
  )
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')]
  execFileSync(nginx, [...args, '-t'], { stdio: 'pipe' })
  const child: ChildProcess = spawn(nginx, args, { stdio: 'ignore' })
  const pem = readFileSync(cert, 'utf8')
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${readFileSync(join(dir, 'error.log'), 'utf8')}`)
    // A TCP connection only: a request now would reach no server, and nginx would mark it down for 10 s.
    const up = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end()
        done(true)
      })
      socket.on('error', () => done(false))
    })
    if (up) break
    if (Date.now() > deadline) throw new Error('nginx did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    port,
    cert: pem,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGQUIT')
      await exited
    },
  }
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: any
}

/** An HTTPS request to the proxy from the loopback address `from`. */
function call(
  proxy: { port: number; cert: string },
  from: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: proxy.port,
        localAddress: from,
        servername: 'localhost',
        ca: proxy.cert,
        method,
        path,
        agent: false,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => {
          text += d
        })
        res.on('end', () => {
          let parsed: unknown = text
          try {
            parsed = JSON.parse(text)
          } catch {}
          resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: parsed })
        })
      },
    )
    req.on('error', reject)
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}

/** An event stream through the proxy; `events` fills as frames arrive. */
function openStream(
  proxy: { port: number; cert: string },
  from: string,
  path: string,
  headers: Record<string, string>,
) {
  const events: SseEvent[] = []
  const parser = new SseParser((e) => events.push(e))
  let close = () => {}
  const opened = new Promise<number>((resolvePromise, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: proxy.port,
        localAddress: from,
        servername: 'localhost',
        ca: proxy.cert,
        path,
        agent: false,
        headers: { accept: 'text/event-stream', ...headers },
      },
      (res) => {
        res.setEncoding('utf8')
        res.on('data', (d: string) => parser.push(d))
        res.on('error', () => {})
        resolvePromise(res.statusCode ?? 0)
      },
    )
    req.on('error', reject)
    req.end()
    close = () => req.destroy()
    // A proxy that buffers the answer sends not even its headers: fail, do not hang.
    setTimeout(() => reject(new Error('the event stream did not open within 5 s')), 5000).unref()
  })
  return { events, opened, close: () => close() }
}

const waitFor = async (what: () => boolean, label: string, ms = 5000) => {
  const deadline = Date.now() + ms
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The JSON log lines of the server's output. */
function logLines(output: string): Array<Record<string, any>> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, any>
      } catch {
        return {}
      }
    })
}

/** The client addresses the server logged for sign-ins (the test's own health checks come from 127.0.0.1 directly). */
const addressesSeen = (output: string) =>
  new Set(logLines(output).flatMap((l) => (l.req?.url === '/api/auth/login' ? [l.req.remoteAddress as string] : [])))

let dir: string
let proxy: Proxy
let upstreamPort: number

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trackvault-nginx-'))
  upstreamPort = await freePort()
  proxy = await startNginx(dir, upstreamPort)
})
afterAll(async () => {
  await proxy?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** A fresh database with an admin and a collector, and the server on the proxy's upstream port. */
async function startBehindProxy(env: Record<string, string>) {
  const db: TestDb = await createTestDb()
  for (const role of ['admin', 'collector'] as const) {
    await createUser(db.handle.db, { name: role, email: `${role}@proxy.test`, password: PASSWORD, role })
  }
  await db.handle.close()
  const server = await startServerProcess({ ...db.env, ...env, PORT: String(upstreamPort) })
  return { db, server }
}

/** Five wrong passwords for the collector from client A, then the right one from client B. */
async function guessThenSignIn() {
  for (let i = 0; i < 5; i++) {
    const res = await call(proxy, CLIENT_A, 'POST', '/api/auth/login', {
      email: 'collector@proxy.test',
      password: `wrong-${i}-pass`,
    })
    expect(res.status).toBe(401)
  }
  const blocked = await call(proxy, CLIENT_A, 'POST', '/api/auth/login', {
    email: 'collector@proxy.test',
    password: PASSWORD,
  })
  expect(blocked.status).toBe(429)
  return call(proxy, CLIENT_B, 'POST', '/api/auth/login', {
    email: 'collector@proxy.test',
    password: PASSWORD,
    device_id: 'phone-b',
  })
}

describe('with TRACKVAULT_TRUST_PROXY naming the proxy', () => {
  let db: TestDb
  let server: ServerProcess
  beforeAll(async () => {
    ;({ db, server } = await startBehindProxy({ TRACKVAULT_TRUST_PROXY: '127.0.0.1' }))
  })
  afterAll(async () => {
    await server?.stop()
    await db?.drop()
  })

  test("the login throttle and the logs see each client's own address", async () => {
    const other = await guessThenSignIn()
    expect(other.status, JSON.stringify(other.body)).toBe(200)
    const seen = addressesSeen(server.output())
    expect(seen.has(CLIENT_A)).toBe(true)
    expect(seen.has(CLIENT_B)).toBe(true)
    expect(seen.has('127.0.0.1')).toBe(false)
  })

  test('a client cannot pose as another address, and the request id is the proxy’s', async () => {
    const res = await call(proxy, CLIENT_B, 'GET', '/api/auth/me', undefined, { 'x-forwarded-for': '203.0.113.9' })
    expect(res.status).toBe(401)
    const id = res.headers['x-request-id'] as string
    expect(id).toMatch(/^[0-9a-f]{32}$/) // nginx's $request_id
    // The server's log reaches us through a pipe, a moment after the answer.
    const linesOf = () => logLines(server.output()).filter((l) => l.reqId === id)
    await waitFor(() => linesOf().length >= 2, 'the log lines of the request') // incoming, completed
    const lines = linesOf()
    expect(lines.find((l) => l.req)?.req.remoteAddress).toBe(CLIENT_B)
    expect(server.output()).not.toContain('203.0.113.9')
  })

  test('logs carry the request, user and device ids of a sign-in and a push; never a token, ticket or password', async () => {
    const login = await call(proxy, CLIENT_A, 'POST', '/api/auth/login', {
      email: 'admin@proxy.test',
      password: PASSWORD,
      device_id: 'desk-1',
    })
    expect(login.status).toBe(200)
    const token = login.body.token as string
    const auth = { authorization: `Bearer ${token}` }
    const push = await call(
      proxy,
      CLIENT_A,
      'POST',
      '/api/sync',
      {
        device_id: 'desk-1',
        operations: [
          {
            local_id: `op-${newId()}`,
            seq: 1,
            entity_type: 'supplier',
            entity_id: newId(),
            operation_type: 'create',
            payload: { code: 'PX-1', name: 'Proxied' },
          },
        ],
      },
      auth,
    )
    expect(push.status).toBe(200)
    expect(push.body.results[0].status).toBe('success')
    const ticket = await call(proxy, CLIENT_A, 'POST', '/api/sync/events/ticket', {}, auth)
    expect(ticket.status).toBe(200)
    const stream = openStream(proxy, CLIENT_A, `/api/sync/events?ticket=${encodeURIComponent(ticket.body.ticket)}`, {})
    expect(await stream.opened).toBe(200)
    await waitFor(() => stream.events.some((e) => e.event === 'ready'), 'ready')
    stream.close()

    const completed = () => logLines(server.output()).filter((l) => l.msg === 'request completed')
    const ids = [login, push].map((r) => r.headers['x-request-id'])
    await waitFor(() => ids.every((id) => completed().some((l) => l.reqId === id)), 'the completion lines')
    const lines = logLines(server.output())
    const of = (id: string) => lines.filter((l) => l.reqId === id)
    const done = (id: string) => of(id).find((l) => l.msg === 'request completed')
    expect(done(login.headers['x-request-id'] as string)).toMatchObject({
      userId: expect.any(String),
      deviceId: 'desk-1',
    })
    expect(done(push.headers['x-request-id'] as string)).toMatchObject({
      userId: login.body.user.id,
      deviceId: 'desk-1',
      res: { statusCode: 200 },
    })
    const events = lines.find((l) => typeof l.req?.url === 'string' && l.req.url.startsWith('/api/sync/events?'))
    expect(events?.req.url).toBe('/api/sync/events?ticket=[redacted]')
    const output = server.output()
    for (const secret of [token, ticket.body.ticket as string, PASSWORD, 'wrong-0-pass']) {
      expect(output.includes(secret), 'a secret is in the log').toBe(false)
    }
  })

  test('live events arrive through the proxy at once (no buffering)', async () => {
    const login = await call(proxy, CLIENT_B, 'POST', '/api/auth/login', {
      email: 'admin@proxy.test',
      password: PASSWORD,
    })
    const auth = { authorization: `Bearer ${login.body.token}` }
    const stream = openStream(proxy, CLIENT_B, '/api/sync/events', auth)
    try {
      expect(await stream.opened).toBe(200)
      await waitFor(() => stream.events.some((e) => e.event === 'ready'), 'ready')
      const write = await call(proxy, CLIENT_A, 'POST', '/api/suppliers', { code: 'PX-2', name: 'Live' }, auth)
      expect(write.status).toBe(201)
      const wrote = performance.now()
      await waitFor(() => stream.events.some((e) => e.event === 'change'), 'change', 3000)
      expect(performance.now() - wrote).toBeLessThan(2000)
    } finally {
      stream.close()
    }
  })
})

describe('without TRACKVAULT_TRUST_PROXY', () => {
  let db: TestDb
  let server: ServerProcess
  beforeAll(async () => {
    ;({ db, server } = await startBehindProxy({}))
  })
  afterAll(async () => {
    await server?.stop()
    await db?.drop()
  })

  test("every client has the proxy's address: one client's guesses throttle another's sign-in", async () => {
    const other = await guessThenSignIn()
    expect(other.status).toBe(429)
    expect([...addressesSeen(server.output())]).toEqual(['127.0.0.1'])
  })
})
