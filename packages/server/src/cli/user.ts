/**
 * `trackvault user create|list|set-role|activate|deactivate|reset-password`:
 * user administration without the API, through the same domain code
 * (auth/users.ts): the same checks (unique email, LAST_ADMIN) and the same
 * effects (deactivation and a password reset end the user's sessions; open
 * event streams end at their process's next session check).
 */
import { ROLES, type Role, type User } from '@trackvault/core'
import type { Kysely } from 'kysely'
import {
  createUser,
  findUserByEmail,
  getUser,
  resetPassword,
  toUser,
  updateUser,
  userEmailSchema,
  userNameSchema,
} from '../auth/users'
import type { Database } from '../db/schema'
import { fail, parseOptions, withDatabase } from './command'
import { PASSWORD_HELP, PASSWORD_OPTIONS, readPassword } from './password-input'

const HELP = `Usage: trackvault user <action> [options]

Actions:
  create --email EMAIL --role ROLE [--name NAME]   create a user (active; NAME defaults to the
                                                  part of the email before the @)
  list [--json]                                   list every user
  set-role USER ROLE                              change a user's role
  activate USER                                   let a deactivated user sign in again
  deactivate USER                                 stop a user signing in; ends their sessions
  reset-password USER                             set a new password; ends their sessions

USER is an email (or a user id). ROLE is one of: ${ROLES.join(', ')}.
The last active admin cannot be demoted or deactivated (LAST_ADMIN): make
another admin first. A lost admin password is recovered with
\`trackvault user reset-password admin@example.com\`, or a new admin with
\`trackvault user create --email you@example.com --role admin\`.

${PASSWORD_HELP}

Exit codes: 0 done, 1 refused or failed (the reason is printed), 2 bad usage.`

const isRole = (value: string | undefined): value is Role => ROLES.includes(value as Role)

async function findUser(db: Kysely<Database>, key: string): Promise<User> {
  const row = await findUserByEmail(db, key)
  return row ? toUser(row) : getUser(db, key)
}

const describeUser = (u: User) => `${u.email} (${u.role}${u.is_active ? '' : ', inactive'})`

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(
    args,
    {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      json: { type: 'boolean' },
      ...PASSWORD_OPTIONS,
    },
    HELP,
  )
  if (typeof parsed === 'number') return parsed
  const [action, ...rest] = parsed.positionals
  const v = parsed.values as {
    email?: string
    name?: string
    role?: string
    json?: boolean
    'password-env'?: string
    'password-stdin'?: boolean
    'generate-password'?: boolean
  }
  const usage = (message: string) => {
    process.stderr.write(`trackvault user: ${message}\n\n${HELP}\n`)
    return 2
  }
  // An option another action takes is a mistake (a typo'd action, a forgotten one), not something to ignore.
  const allowed: Record<string, string[]> = {
    create: ['email', 'name', 'role', ...Object.keys(PASSWORD_OPTIONS)],
    list: ['json'],
    'reset-password': Object.keys(PASSWORD_OPTIONS),
  }
  const stray = Object.keys(parsed.values).filter(
    (k) => k !== 'help' && parsed.values[k] !== undefined && !(allowed[action ?? ''] ?? []).includes(k),
  )
  if (action !== undefined && stray.length > 0) return usage(`${action} does not take --${stray[0]}`)
  const expect = (count: number, names: string) =>
    rest.length === count ? undefined : usage(`${action} takes ${names}`)

  switch (action) {
    case 'create': {
      if (rest.length > 0) return usage('create takes options only (--email, --role, --name)')
      const email = userEmailSchema.safeParse(v.email)
      if (!email.success) return usage(v.email === undefined ? 'create needs --email' : `not an email: ${v.email}`)
      if (!isRole(v.role)) return usage(`create needs --role, one of: ${ROLES.join(', ')}`)
      const name = userNameSchema.safeParse(v.name ?? email.data.split('@')[0])
      if (!name.success) return usage('--name must be 1-200 characters')
      const password = await readPassword(v)
      if ('usage' in password) return usage(password.usage)
      if ('error' in password) return failed(password.error)
      return withDatabase('user', async (handle) => {
        const user = await createUser(handle.db, {
          name: name.data,
          email: email.data,
          password: password.password,
          role: v.role as Role,
        })
        process.stdout.write(`created ${describeUser(user)}, id ${user.id}\n`)
        if (password.generated)
          process.stdout.write(`password (shown once, not stored anywhere readable): ${password.password}\n`)
        return 0
      })
    }
    case 'list': {
      if (rest.length > 0) return usage('list takes no arguments')
      return withDatabase('user', async (handle) => {
        const rows = await handle.db.selectFrom('users').selectAll().orderBy('email').execute()
        const users = rows.map(toUser)
        if (v.json) {
          process.stdout.write(`${JSON.stringify(users, null, 2)}\n`)
          return 0
        }
        const table = [
          ['EMAIL', 'NAME', 'ROLE', 'ACTIVE', 'ID'],
          ...users.map((u) => [u.email, u.name, u.role, u.is_active ? 'yes' : 'no', u.id]),
        ]
        const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)))
        for (const row of table)
          process.stdout.write(
            `${row
              .map((c, i) => c.padEnd(widths[i]))
              .join('  ')
              .trimEnd()}\n`,
          )
        return 0
      })
    }
    case 'set-role': {
      const bad = expect(2, 'USER ROLE')
      if (bad !== undefined) return bad
      const [key, role] = rest
      if (!isRole(role)) return usage(`not a role: ${role} (one of: ${ROLES.join(', ')})`)
      return withDatabase('user', async (handle) => {
        const user = await updateUser(handle.db, handle.caps, (await findUser(handle.db, key)).id, { role })
        process.stdout.write(`${describeUser(user)}\n`)
        return 0
      })
    }
    case 'activate':
    case 'deactivate': {
      const bad = expect(1, 'USER')
      if (bad !== undefined) return bad
      return withDatabase('user', async (handle) => {
        const found = await findUser(handle.db, rest[0])
        const user = await updateUser(handle.db, handle.caps, found.id, { is_active: action === 'activate' })
        process.stdout.write(
          `${describeUser(user)}${action === 'deactivate' ? ': deactivated, every session ended' : ': active'}\n`,
        )
        return 0
      })
    }
    case 'reset-password': {
      const bad = expect(1, 'USER')
      if (bad !== undefined) return bad
      const password = await readPassword(v)
      if ('usage' in password) return usage(password.usage)
      if ('error' in password) return failed(password.error)
      return withDatabase('user', async (handle) => {
        const user = await findUser(handle.db, rest[0])
        await resetPassword(handle.db, user.id, password.password)
        process.stdout.write(`${describeUser(user)}: password changed, every session ended\n`)
        if (password.generated) process.stdout.write(`password (shown once): ${password.password}\n`)
        return 0
      })
    }
    case undefined:
      return usage('no action')
    default:
      return usage(`unknown action '${action}'`)
  }
}

function failed(message: string): number {
  fail('user', message)
  return 1
}
