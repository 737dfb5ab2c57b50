#!/usr/bin/env node
/**
 * The import rules the type checker cannot see (workspace packages are all
 * linked into node_modules, so TypeScript resolves any of them from anywhere):
 *
 * 1. Code reaches another package only through its name and a declared entry
 *    (`@trackvault/client/memory`), never by a relative path into its folder
 *    or a deep path (`@trackvault/server/src/app`). sim/, bench/, tests/ and
 *    scripts/ are outside every package and follow the same rule.
 * 2. A package imports only what its package.json declares. For the published
 *    code of core, client, react and server (not their tests) that means
 *    `dependencies` or `peerDependencies`; this is also what keeps the layering
 *    (core declares none of ours, client declares core, react client and core,
 *    server core, apps/web react, client and core). Tests may also use the
 *    root's dev dependencies.
 * 3. No import cycles (type-only imports count: they couple files as much).
 *
 * Run by `npm run lint`. Prints each violation with its file and exits 1.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))
const rootPkg = readJson(join(root, 'package.json'))

/**
 * Cycles known when this check was added, each to be removed by the work named
 * beside it. The check fails when one of them is gone too, so the list shrinks.
 */
/** Import cycles allowed for now, each with the issue that removes it (none left). */
const KNOWN_CYCLES = new Map([])

/** The code units: each workspace package, and the root's own folders. */
const units = rootPkg.workspaces.map((ws) => {
  const dir = join(root, ws)
  const pkg = readJson(join(dir, 'package.json'))
  return { dir, name: pkg.name, pkg, published: ws.startsWith('packages/') }
})
const rootUnit = { dir: root, name: rootPkg.name, pkg: rootPkg, published: false }
const ROOT_FOLDERS = ['sim', 'bench', 'tests', 'scripts']
const byName = new Map(units.map((u) => [u.name, u]))

const SKIP_DIRS = new Set(['node_modules', 'dist', 'web', 'data', 'coverage', 'test-results', 'results', 'peer'])
const CODE = /\.(ts|tsx|mts|mjs|js)$/

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) yield* walk(join(dir, entry.name))
    } else if (CODE.test(entry.name) && !entry.name.endsWith('.d.ts')) yield join(dir, entry.name)
  }
}

/** Import specifiers of a file: static, re-exports, side-effect and dynamic imports, type-only included. */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const found = []
  for (const re of [
    /(?:^|[\s;}])(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]) {
    for (const m of code.matchAll(re)) found.push(m[1])
  }
  return found
}

const builtins = new Set(builtinModules)
const isBuiltin = (s) => s.startsWith('node:') || builtins.has(s.split('/')[0])
const packageName = (s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0])
const isTest = (file) => /\.test\.tsx?$/.test(file) || file.split(sep).includes('test')
const declared = (pkg, sections) => new Set(sections.flatMap((s) => Object.keys(pkg[s] ?? {})))

/** Resolves a relative specifier the way the bundler-style resolution of the sources does. */
function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec)
  const candidates = [
    base,
    ...['.ts', '.tsx', '.mts', '.mjs', '.js'].map((e) => base + e),
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    ...['index.ts', 'index.tsx', 'index.js'].map((i) => join(base, i)),
  ]
  return candidates.find((c) => existsSync(c) && statSync(c).isFile())
}

const within = (dir, file) => file === dir || file.startsWith(dir + sep)
const unitOf = (file) => units.find((u) => within(u.dir, file)) ?? rootUnit

const problems = []
const graph = new Map()
const files = [
  ...units.flatMap((u) => [...walk(u.dir)]),
  ...ROOT_FOLDERS.filter((f) => existsSync(join(root, f))).flatMap((f) => [...walk(join(root, f))]),
  ...readdirSync(root)
    .filter((f) => CODE.test(f))
    .map((f) => join(root, f)),
]

for (const file of files) {
  const unit = unitOf(file)
  const rel = relative(root, file)
  const edges = []
  graph.set(file, edges)
  for (const spec of importsOf(readFileSync(file, 'utf8'))) {
    if (spec.startsWith('.')) {
      const target = resolveRelative(file, spec)
      const targetUnit = target ? unitOf(target) : unitOf(resolve(dirname(file), spec))
      if (targetUnit !== unit) {
        problems.push(`${rel}: '${spec}' reaches into ${targetUnit.name}; import it by name through a declared entry`)
      } else if (target) edges.push(target)
      continue
    }
    if (isBuiltin(spec) || spec.startsWith('virtual:')) continue
    const name = packageName(spec)
    const target = byName.get(name)
    if (target) {
      const subpath = `.${spec.slice(name.length)}`
      if (!Object.hasOwn(target.pkg.exports ?? {}, subpath)) {
        problems.push(
          `${rel}: '${spec}' is not an entry of ${name} (its entries: ${Object.keys(target.pkg.exports).join(', ')})`,
        )
      }
    }
    if (unit === rootUnit || name === unit.name) continue
    const own = unit.published && !isTest(file) ? ['dependencies', 'peerDependencies'] : undefined
    const allowed = own
      ? declared(unit.pkg, own)
      : new Set([
          ...declared(unit.pkg, ['dependencies', 'peerDependencies', 'devDependencies']),
          ...declared(rootPkg, ['devDependencies']),
        ])
    if (!allowed.has(name)) {
      const where = own ? 'dependencies or peerDependencies' : 'its package.json or the root devDependencies'
      problems.push(`${rel}: imports '${name}', which ${unit.name} does not declare (${where})`)
    }
  }
}

// Cycles: strongly connected components of the relative-import graph (Tarjan).
let counter = 0
const index = new Map()
const low = new Map()
const stack = []
const onStack = new Set()
const cycles = []
function connect(v) {
  index.set(v, counter)
  low.set(v, counter++)
  stack.push(v)
  onStack.add(v)
  for (const w of graph.get(v) ?? []) {
    if (!index.has(w)) {
      connect(w)
      low.set(v, Math.min(low.get(v), low.get(w)))
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)))
  }
  if (low.get(v) === index.get(v)) {
    const component = []
    let w
    do {
      w = stack.pop()
      onStack.delete(w)
      component.push(relative(root, w))
    } while (w !== v)
    if (component.length > 1) cycles.push(component.sort().join(' -> '))
  }
}
for (const v of graph.keys()) if (!index.has(v)) connect(v)

for (const cycle of cycles) {
  if (!KNOWN_CYCLES.has(cycle)) problems.push(`import cycle: ${cycle}`)
}
for (const [cycle, why] of KNOWN_CYCLES) {
  if (!cycles.includes(cycle)) problems.push(`known cycle is gone (remove it from KNOWN_CYCLES): ${cycle} (${why})`)
}

if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`)
  process.exit(1)
}
console.log(`check-imports: ${files.length} files, entries and declared dependencies respected, no new import cycle`)
