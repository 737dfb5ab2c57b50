/** `trackvault demo [--remove]`: seed the demo data on purpose, or retire the demo accounts. */
import { migrateToLatest } from '../db/migrate'
import { DEMO_ACCOUNTS, DEMO_PASSWORD, retireDemoAccounts, seedDemo } from '../seed/bootstrap'
import { fail, parseOptions, withDatabase } from './command'

const HELP = `Usage: trackvault demo [--remove]

Migrates the database, then seeds the demo data into it: one account per
role with the published password '${DEMO_PASSWORD}', two products with
rates, six suppliers, three weeks of collections and advances. Only into a
database without suppliers (never over real data).

Anyone who knows the demo password can sign in as a demo account, so a
server started with TRACKVAULT_DEMO=0 warns while one is active, and
\`trackvault check\` fails.

Options:
  --remove   deactivate the demo accounts instead (their sessions end; what
             they recorded stays). Refused if the demo admin is the only
             admin: create yours first (trackvault user create ... --role admin).

Exit codes: 0 done, 1 refused or failed, 2 bad usage.`

export async function run(args: string[]): Promise<number> {
  const parsed = parseOptions(args, { remove: { type: 'boolean' } }, HELP)
  if (typeof parsed === 'number') return parsed
  if (parsed.positionals.length > 0) {
    process.stderr.write(`trackvault demo: unexpected argument '${parsed.positionals[0]}'\n\n${HELP}\n`)
    return 2
  }
  return withDatabase('demo', async (handle) => {
    await migrateToLatest(handle.db)
    if (parsed.values.remove) {
      const retired = await retireDemoAccounts(handle.db, handle.caps)
      process.stdout.write(retired.length === 0 ? 'no active demo accounts\n' : `deactivated ${retired.join(', ')}\n`)
      return 0
    }
    if (!(await seedDemo(handle.db, handle.caps))) {
      fail('demo', 'the database already has suppliers; demo data goes into a database without any')
      return 1
    }
    const accounts = DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(10)} ${a.email}  /  ${DEMO_PASSWORD}`).join('\n')
    process.stdout.write(
      `seeded demo data into ${handle.describe}\nDemo accounts (run with TRACKVAULT_DEMO=1, or \`trackvault demo --remove\` later):\n${accounts}\n`,
    )
    return 0
  })
}
