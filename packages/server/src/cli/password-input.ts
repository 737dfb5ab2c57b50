/**
 * Where `user create` and `user reset-password` take a password from, never
 * from an argument (it would be in the shell history and `ps`): an
 * environment variable named by `--password-env`, the first line of stdin
 * (`--password-stdin`), a hidden prompt on a terminal, or `--generate-password`
 * (random, printed once). A given password is never written anywhere.
 */
import { randomBytes } from 'node:crypto'
import { passwordSchema } from '../auth/passwords'

export const PASSWORD_OPTIONS = {
  'password-env': { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'generate-password': { type: 'boolean' },
} as const

export const PASSWORD_HELP = `Password (one of; never as an argument):
  --password-env NAME    read it from the environment variable NAME
  --password-stdin       read the first line of standard input
  --generate-password    make a random one and print it once
  (none of these)        prompt for it twice, hidden, when run on a terminal`

export type PasswordResult = { password: string; generated: boolean } | { usage: string } | { error: string }

export async function readPassword(values: {
  'password-env'?: string
  'password-stdin'?: boolean
  'generate-password'?: boolean
}): Promise<PasswordResult> {
  const chosen = [values['password-env'] !== undefined, values['password-stdin'], values['generate-password']]
  if (chosen.filter(Boolean).length > 1) {
    return { usage: 'give one of --password-env, --password-stdin, --generate-password' }
  }
  if (values['generate-password']) return { password: randomBytes(18).toString('base64url'), generated: true }
  let password: string
  if (values['password-env'] !== undefined) {
    const value = process.env[values['password-env']]
    if (value === undefined) return { error: `the environment variable ${values['password-env']} is not set` }
    password = value
  } else if (values['password-stdin']) {
    password = await firstLineOfStdin()
  } else if (process.stdin.isTTY) {
    const answers = await promptHidden(['Password: ', 'Repeat it: ']).catch(() => undefined)
    if (!answers) return { error: 'cancelled' }
    const [first, again] = answers
    if (again !== first) return { error: 'the two passwords differ' }
    password = first
  } else {
    return { usage: 'no terminal to prompt on: give --password-env, --password-stdin or --generate-password' }
  }
  const valid = passwordSchema.safeParse(password)
  if (!valid.success) return { error: `password ${valid.error.issues[0].message}` }
  return { password, generated: false }
}

async function firstLineOfStdin(): Promise<string> {
  let text = ''
  for await (const chunk of process.stdin) {
    text += chunk
    if (text.includes('\n')) break
  }
  return text.split(/\r?\n/)[0]
}

/** Asks each of `prompts` on the terminal and reads one line for each, without echoing what is typed. */
function promptHidden(prompts: string[]): Promise<string[]> {
  const stdin = process.stdin
  // Echo off before the first prompt shows, so nothing typed after it is echoed.
  stdin.setRawMode(true)
  stdin.setEncoding('utf8')
  process.stderr.write(prompts[0])
  stdin.resume()
  return new Promise((resolve, reject) => {
    const lines: string[] = []
    let value = ''
    const finish = (err?: Error) => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      if (err) reject(err)
      else resolve(lines)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\u0003' || ch === '\u0004') {
          process.stderr.write('\n')
          return finish(new Error('cancelled'))
        }
        if (ch === '\r' || ch === '\n') {
          lines.push(value)
          value = ''
          process.stderr.write('\n')
          if (lines.length === prompts.length) return finish()
          process.stderr.write(prompts[lines.length])
        } else if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else value += ch
      }
    }
    stdin.on('data', onData)
  })
}
