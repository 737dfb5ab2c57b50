#!/usr/bin/env node
/**
 * Builds the server (packages/server) into dist/: the `trackvault` command
 * (dist/cli.js) as one ESM bundle for plain `node`, each verb a chunk loaded
 * when it runs. Our own packages (core) are bundled from their sources; every
 * third-party dependency stays an import, installed beside the build (the
 * release's package.json lists them). dist/types holds only the type
 * checker's declarations.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const serverDir = join(root, 'packages/server')
const readPkg = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

/** The third-party packages the bundle imports: the server's own and those of the packages of ours it bundles. */
export function runtimeDependencies() {
  const server = readPkg(serverDir)
  const deps = {}
  const add = (pkg) => {
    for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
      if (name.startsWith('@trackvault/')) add(readPkg(join(root, 'packages', name.slice('@trackvault/'.length))))
      else deps[name] ??= range
    }
  }
  add(server)
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)))
}

export async function buildServer() {
  const dist = join(serverDir, 'dist')
  mkdirSync(dist, { recursive: true })
  rmSync(join(dist, 'chunks'), { recursive: true, force: true })
  for (const f of readdirSync(dist, { withFileTypes: true }).filter((e) => e.isFile())) rmSync(join(dist, f.name))
  const external = Object.keys(runtimeDependencies()).flatMap((name) => [name, `${name}/*`])
  await build({
    absWorkingDir: serverDir,
    entryPoints: [{ in: 'src/cli/index.ts', out: 'cli' }],
    outdir: 'dist',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    conditions: ['@trackvault/source'],
    external,
    sourcemap: true,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  })
  chmodSync(join(dist, 'cli.js'), 0o755)
}

/** Newest modification time of the files under `dir`, recursively. */
function newest(dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return t
}

/**
 * Builds the server unless dist/cli.js is newer than every source it bundles
 * (server and core sources, their package.json): the test runs' global setup,
 * so tests spawn what `npm start` and the release run, without rebuilding it
 * for every project.
 */
export async function buildServerIfStale() {
  const cli = join(serverDir, 'dist/cli.js')
  const sources = ['packages/server/src', 'packages/core/src'].map((d) => newest(join(root, d)))
  const manifests = ['packages/server/package.json', 'packages/core/package.json', 'scripts/build-server.mjs']
  const inputs = Math.max(...sources, ...manifests.map((f) => statSync(join(root, f)).mtimeMs))
  if (existsSync(cli) && statSync(cli).mtimeMs > inputs) return false
  await buildServer()
  return true
}

/** Vitest global setup of the projects that spawn the server (vitest.config.ts). */
export async function setup() {
  await buildServerIfStale()
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildServer()
  console.log('@trackvault/server: built dist/cli.js')
}
