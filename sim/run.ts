/**
 * The seeded fault simulation from the command line (options in runner.ts).
 *
 *   npm run sim -- --seeds 20 --seed 1 --db both
 *   npm run sim -- --seeds 1 --seed 1234 --db sqlite      (replay one seed)
 */
import { parseArgs, type RunOptions, runSeeds, summaryTable, type Totals } from './runner'
import { replayCommand } from './simulation'

async function main() {
  let opts: RunOptions
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(2)
  }
  const all: Totals[] = []
  for (const dialect of opts.dbs) {
    const totals = await runSeeds(opts, dialect, (r) => {
      const mark = r.anomalies.length === 0 ? 'ok' : `${r.anomalies.length} ANOMALIES`
      process.stdout.write(
        `seed ${r.seed} ${r.dialect}: ${r.actions} actions, ${r.operations} ops, ${r.requests} requests, trace ${r.trace}, ${(r.ms / 1000).toFixed(1)} s  ${mark}\n`,
      )
      for (const a of r.anomalies.slice(0, 20)) process.stdout.write(`    ${a.kind}: ${a.detail}\n`)
      if (r.anomalies.length > 20) process.stdout.write(`    ... and ${r.anomalies.length - 20} more\n`)
      if (r.anomalies.length > 0) process.stdout.write(`  replay: ${replayCommand(r, opts.ops, opts.faultRate)}\n`)
    })
    all.push(totals)
  }
  if (opts.verbose) {
    for (const t of all) {
      process.stdout.write(`\noutcomes (${t.dialect}):\n`)
      for (const [k, v] of Object.entries(t.outcomes).sort()) process.stdout.write(`  ${k.padEnd(48)} ${v}\n`)
    }
  }
  process.stdout.write(`\n${summaryTable(all)}\n`)
  const failed = all.flatMap((t) => t.failedSeeds)
  if (failed.length > 0) {
    process.stdout.write(`\n${failed.length} seed(s) found anomalies. Replay:\n`)
    for (const r of failed) process.stdout.write(`  ${replayCommand(r, opts.ops, opts.faultRate)}\n`)
    process.exit(1)
  }
  process.exit(0)
}

await main()
