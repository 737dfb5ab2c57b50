#!/usr/bin/env node
/**
 * Does `engines.node` (">=20.19" in every package.json of ours) tell the
 * truth? Every package in the lock file must accept Node 20.19.0, the oldest
 * we claim, and the newest 22 and 24 (the LTS lines after it). A package
 * that does not fails the check, unless it is listed below with the reason it
 * still runs on 20.19 and the test that shows it. Run by `npm run lint`.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
const NODES = ['20.19.0', '22.99.0', '24.99.0']

/**
 * name@major -> why it runs on Node 20.19 although it says otherwise. None:
 * where a newer release wants Node 22 (content-disposition 3 via
 * @fastify/static 10.1.4+, cookie 2 via light-my-request 6.8+), the release
 * before it is pinned (packages/server/package.json, root `overrides`).
 */
const EXCEPTIONS = new Map()

const failures = []
const excused = []
for (const [path, entry] of Object.entries(lock.packages)) {
  const range = entry.engines?.node
  if (!path.includes('node_modules/') || !range) continue
  if (NODES.every((v) => semver.satisfies(v, range))) continue
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
  const line = `${name}@${entry.version} wants node ${range} (${entry.dev ? 'dev' : 'production'})`
  const why = EXCEPTIONS.get(`${name}@${semver.major(entry.version)}`)
  if (why) excused.push(`${line}: ${why}`)
  else failures.push(line)
}

for (const line of excused) console.log(`check-engines: allowed ${line}`)
if (failures.length > 0) {
  console.error(
    `check-engines: ${failures.length} package(s) do not accept Node ${NODES.join(', ')}:\n${failures.map((f) => `  ${f}`).join('\n')}`,
  )
  process.exit(1)
}
console.log(`check-engines: every package in the lock accepts Node ${NODES.join(', ')}`)
