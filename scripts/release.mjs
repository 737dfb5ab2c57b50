#!/usr/bin/env node
/**
 * `npm run release`: builds the server and the web app and packs what a
 * production box needs into release/trackvault-<version>.tgz:
 *
 *   trackvault-<version>/
 *     package.json        the `trackvault` command, its runtime dependencies
 *     package-lock.json   the same versions as this checkout's lock
 *     dist/               the server bundle (node, no TypeScript runner)
 *     web/                the built web app, served at /
 *     LICENSE
 *
 * Install and start: `npm ci --omit=dev && npx trackvault serve` (docs/deploy.md).
 */
import { execFileSync, execSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runtimeDependencies } from './build-server.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const serverDir = join(root, 'packages/server')
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))
const server = readJson(join(serverDir, 'package.json'))
const rootPkg = readJson(join(root, 'package.json'))
const name = `trackvault-${server.version}`
const outDir = join(root, 'release')
const stage = join(outDir, name)

if (!process.argv.includes('--no-build')) execSync('npm run build', { cwd: root, stdio: 'inherit' })

rmSync(stage, { recursive: true, force: true })
mkdirSync(stage, { recursive: true })
cpSync(join(serverDir, 'dist'), join(stage, 'dist'), { recursive: true, filter: (src) => !src.includes('/dist/types') })
cpSync(join(serverDir, 'web'), join(stage, 'web'), { recursive: true })
cpSync(join(root, 'LICENSE'), join(stage, 'LICENSE'))

const dependencies = runtimeDependencies()
const manifest = {
  name: 'trackvault',
  version: server.version,
  private: true,
  description: rootPkg.description,
  license: rootPkg.license,
  type: 'module',
  bin: { trackvault: './dist/cli.js' },
  engines: server.engines,
  scripts: { start: 'trackvault serve' },
  dependencies,
  allowScripts: Object.fromEntries(Object.entries(rootPkg.allowScripts ?? {}).filter(([dep]) => dep in dependencies)),
}
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)

// The lock: this checkout's, narrowed by npm to the release's dependencies (no new versions are chosen).
cpSync(join(root, 'package-lock.json'), join(stage, 'package-lock.json'))
execFileSync(
  'npm',
  ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
  {
    cwd: stage,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
)
const versions = (lock) =>
  new Set(
    Object.entries(lock.packages)
      .filter(([path]) => path.includes('node_modules/'))
      .map(([path, p]) => `${path.slice(path.lastIndexOf('node_modules/') + 13)}@${p.version}`),
  )
const ours = versions(readJson(join(root, 'package-lock.json')))
const drifted = [...versions(readJson(join(stage, 'package-lock.json')))].filter((v) => !ours.has(v))
if (drifted.length > 0)
  throw new Error(`the release lock chose versions this checkout does not use: ${drifted.join(', ')}`)

const tarball = join(outDir, `${name}.tgz`)
execFileSync('tar', ['-czf', tarball, '-C', outDir, name])
console.log(`release: ${tarball}`)
