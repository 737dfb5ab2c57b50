/**
 * The office's REST calls (the web app, online): a person signs in and calls
 * the API directly, past the simulated network, as settlement runs and some
 * route changes are made. Nothing of it is queued or journaled: a restore
 * may take it away, and the checks compare the devices with whatever the
 * server holds.
 */
import type { SimContext } from './context'
import { httpCall, PASSWORD, type SimUser } from './server'

export type Api = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: Record<string, unknown> }>

/** Signs `user` in over HTTP; undefined (counted) if the server refuses. */
export async function signedIn(sim: SimContext, user: SimUser, what = 'settle'): Promise<Api | undefined> {
  const login = await httpCall(sim.server.port, '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: PASSWORD }),
  })
  if (login.status !== 200) {
    sim.note(`${what}_login_${login.status}`)
    return undefined
  }
  const token = (JSON.parse(login.body) as { token: string }).token
  return async (method, path, body) => {
    const res = await httpCall(sim.server.port, path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} }
  }
}

/** The users of the run with one of `roles`, each once (a shared phone has two). */
export function office(sim: SimContext, roles: string[]): SimUser[] {
  const users = new Map<string, SimUser>()
  for (const d of sim.devices) for (const u of d.users) if (roles.includes(u.role)) users.set(u.id, u)
  return [...users.values()]
}

/** The error code of a REST answer, if it is an error. */
export const codeOf = (answer: { body: Record<string, unknown> }) =>
  (answer.body.error as { code?: string } | undefined)?.code
