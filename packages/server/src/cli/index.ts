#!/usr/bin/env node
/**
 * `trackvault <command>`: the operator's command line. Each command is one
 * file in this folder exporting `run`, loaded only when it runs, so `--help`
 * and quick commands do not load the HTTP server.
 */
import type { Run } from './command'

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: Run }> }> = {
  serve: { summary: 'migrate the database and run the HTTP server', load: () => import('./serve') },
  migrate: {
    summary: 'apply pending migrations (--status: list applied and pending)',
    load: () => import('./migrate'),
  },
  user: {
    summary: 'create, list, set-role, activate, deactivate, reset-password',
    load: () => import('./user'),
  },
  demo: {
    summary: 'seed the demo data on purpose (--remove: deactivate the demo accounts)',
    load: () => import('./demo'),
  },
  check: { summary: 'validate configuration and database, print what would run', load: () => import('./check') },
  backup: {
    summary: 'copy the database while it serves (SQLite; pg_dump for PostgreSQL)',
    load: () => import('./backup'),
  },
  restore: { summary: 'restore a backup and give the database a new epoch', load: () => import('./restore') },
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length))
  return [
    'Usage: trackvault <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `trackvault <command> --help` for its options. Configuration comes from',
    'the environment (PORT, DATABASE_URL, TRACKVAULT_DB, ...: see the README).',
    'Exit codes: 0 done, 1 failed or refused, 2 bad usage.',
  ].join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`)
    return 0
  }
  const command = name === undefined ? undefined : COMMANDS[name]
  if (!command) {
    process.stderr.write(
      `${name === undefined ? 'trackvault: no command' : `trackvault: unknown command '${name}'`}\n\n${usage()}\n`,
    )
    return 2
  }
  return (await command.load()).run(rest)
}

process.exitCode = await main(process.argv.slice(2))
