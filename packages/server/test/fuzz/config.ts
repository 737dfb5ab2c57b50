/**
 * The fuzzer's settings, from the environment. FUZZ_SEED=<seed> replays a run
 * (a failure prints its seed), FUZZ_RUNS=<n> changes the budget, FUZZ_SHRINK=1
 * shrinks a failure to a minimal request, FUZZ_ONLY=<regex> fuzzes only the
 * endpoints ("METHOD /path") it matches, FUZZ_VERBOSE=1 logs every answer.
 */
export const SEED = Number(process.env.FUZZ_SEED ?? 20_260_601)
export const RUNS = Number(process.env.FUZZ_RUNS ?? 25)
export const SHRINK = process.env.FUZZ_SHRINK === '1'
export const ONLY = process.env.FUZZ_ONLY ? new RegExp(process.env.FUZZ_ONLY) : undefined
export const VERBOSE = process.env.FUZZ_VERBOSE === '1'
