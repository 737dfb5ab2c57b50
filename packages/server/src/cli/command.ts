/** What every verb of the `trackvault` command line (one file each in this folder) shares. */
import { type ParseArgsConfig, parseArgs } from 'node:util'

/**
 * Runs a verb with the arguments after its name and resolves with the exit
 * code: 0 done, 1 failed, 2 bad usage. A long-running verb (serve) resolves
 * once it is up; the process lives on while it serves.
 */
export type Run = (args: string[]) => Promise<number>

export interface ParsedArgs {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>
  positionals: string[]
}

/**
 * Parses a verb's options with node:util's parseArgs. `--help` prints `help`
 * and ends with 0; an unknown or malformed option prints the error and `help`
 * and ends with 2: then the exit code comes back instead of the values.
 */
export function parseOptions(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  help: string,
): ParsedArgs | number {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
    if (parsed.values.help) {
      process.stdout.write(`${help}\n`)
      return 0
    }
    return parsed
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${help}\n`)
    return 2
  }
}
