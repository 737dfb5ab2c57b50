/**
 * A PostgreSQL cluster owned by one test: initdb into a temp folder, started
 * on a free port with its unix socket in that folder, restartable at will,
 * removed at the end. Restarting the machine's shared server would break the
 * other test files running in parallel; this one nobody else uses.
 *
 * As root, the cluster runs as the `postgres` user (runuser); otherwise as
 * the current user.
 */
import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '@trackvault/server/testing'

const run = promisify(execFile)

export interface PrivatePostgres {
  url: string
  port: number
  dir: string
  /** `pg_ctl restart` in the given mode, waiting until it accepts connections again. */
  restart(mode: 'smart' | 'fast' | 'immediate'): Promise<void>
  /** Stops the cluster and removes its files. */
  destroy(): Promise<void>
}

/** The newest installed PostgreSQL's bin folder, if any. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions.length > 0 ? join(root, versions[0], 'bin') : undefined
}

async function uidOf(user: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])])
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin()
  if (!bin) throw new Error('no PostgreSQL installation under /usr/lib/postgresql')
  const asRoot = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-pg-'))
  if (asRoot) {
    const { uid, gid } = await uidOf('postgres')
    chownSync(dir, uid, gid)
  }
  const data = join(dir, 'data')
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args)
  const port = await freePort()
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'])
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=60',
    '-c shared_buffers=16MB',
    // The machine does not crash in this test, only PostgreSQL: no need to wait for the disk.
    '-c fsync=off',
  ].join(' ')
  await pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '60', 'start'])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    restart: async (mode) => {
      await pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-m', mode, '-w', '-t', '60', 'restart'])
    },
    destroy: async () => {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
