/** `trackvault migrate [--status]`: bring the database schema to this version, or say where it stands. */
import { migrateToLatest, migrationNames, migrationStatus } from '../db/migrate'
import { parseOptions, withDatabase } from './command'

const HELP = `Usage: trackvault migrate [--status]

Applies the migrations this version has and the database has not, in order
(\`serve\` does the same at every start). Several processes may migrate at
once: one applies, the others wait and find nothing left to do.

Options:
  --status   list applied and pending migrations; change nothing

Exit codes: 0 done (or, with --status, nothing unknown), 1 failed or the
database has migrations this version does not know (a newer version ran on
it), 2 bad usage. Configuration comes from the environment (see the README).`

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, { status: { type: 'boolean' } }, HELP)
  if (typeof parsed === 'number') return parsed
  if (parsed.positionals.length > 0) {
    process.stderr.write(`trackvault migrate: unexpected argument '${parsed.positionals[0]}'\n\n${HELP}\n`)
    return 2
  }
  return withDatabase(
    'migrate',
    async (handle) => {
      process.stdout.write(`database: ${handle.describe}\n`)
      if (parsed.values.status) {
        const status = await migrationStatus(handle.db)
        for (const m of status.applied) process.stdout.write(`  applied  ${m.name}  ${m.executedAt.toISOString()}\n`)
        for (const name of status.pending) process.stdout.write(`  pending  ${name}\n`)
        for (const name of status.unknown) process.stdout.write(`  unknown  ${name}  (not in this version)\n`)
        process.stdout.write(`${status.applied.length} applied, ${status.pending.length} pending\n`)
        if (status.unknown.length > 0) {
          process.stderr.write('trackvault migrate: the database was migrated by a newer version; run that version\n')
          return 1
        }
        return 0
      }
      const applied = await migrateToLatest(handle.db)
      for (const name of applied) process.stdout.write(`  applied  ${name}\n`)
      process.stdout.write(applied.length === 0 ? 'already up to date\n' : `${applied.length} applied\n`)
      return 0
    },
    parsed.values.status ? noDatabaseYet : undefined,
  )
}

/** `--status` on a SQLite file that does not exist: every migration is pending, and the file is not created. */
async function noDatabaseYet(file: string): Promise<number> {
  const pending = await migrationNames()
  process.stdout.write(`database: sqlite:${file} (not created yet)\n`)
  for (const name of pending) process.stdout.write(`  pending  ${name}\n`)
  process.stdout.write(`0 applied, ${pending.length} pending\n`)
  return 0
}
