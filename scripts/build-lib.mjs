#!/usr/bin/env node
/**
 * Builds the library package in the current folder (core, client, react) into
 * dist/: ESM JavaScript bundled per entry by esbuild (shared code in chunks,
 * every dependency left as an import), and declarations from TypeScript's own
 * emit (`tsc -b` of the package's project), with relative specifiers given the
 * `.js` ending that Node's ESM resolution and `moduleResolution: node16` need.
 * The entries are the package's `exports`: each `@trackvault/source` file is
 * built to the `default` and `types` files beside it.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const pkgDir = process.cwd()
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))

const entries = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object' && target['@trackvault/source'])
  .map(([subpath, target]) => {
    const source = target['@trackvault/source']
    const out = source.replace(/^\.\/src\//, './dist/').replace(/\.tsx?$/, '')
    if (target.default !== `${out}.js` || target.types !== `${out}.d.ts`) {
      throw new Error(`${pkg.name} exports['${subpath}']: types and default must be ${out}.d.ts and ${out}.js`)
    }
    return { subpath, source, out }
  })

rmSync(join(pkgDir, 'dist'), { recursive: true, force: true })

// Declarations: the package's own project (composite; its references are built first if stale).
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b', pkgDir], { stdio: 'inherit' })

function* declarationFiles(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) yield* declarationFiles(path)
    else if (entry.endsWith('.d.ts')) yield path
  }
}

/** `./queue` -> `./queue.js`, `./network` -> `./network/index.js`; anything with an ending stays. */
function withEnding(file, spec) {
  if (/\.(js|mjs|cjs|json)$/.test(spec)) return spec
  const base = resolve(dirname(file), spec)
  if (existsSync(`${base}.d.ts`)) return `${spec}.js`
  if (existsSync(join(base, 'index.d.ts'))) return `${spec}/index.js`
  throw new Error(`${relative(pkgDir, file)}: cannot resolve '${spec}'`)
}

for (const file of declarationFiles(join(pkgDir, 'dist'))) {
  const text = readFileSync(file, 'utf8')
  const fixed = text.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|^import\s*)(['"])(\.\.?\/[^'"]*)\2/gm,
    (_, before, quote, spec) => `${before}${quote}${withEnding(file, spec)}${quote}`,
  )
  if (fixed !== text) writeFileSync(file, fixed)
}

await build({
  absWorkingDir: pkgDir,
  entryPoints: entries.map((e) => ({ in: e.source, out: e.out.replace(/^\.\/dist\//, '') })),
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  packages: 'external',
  jsx: 'automatic',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
})

for (const e of entries) {
  for (const file of [`${e.out}.js`, `${e.out}.d.ts`]) {
    if (!existsSync(join(pkgDir, file))) throw new Error(`${pkg.name}: ${file} was not built`)
  }
}
console.log(`${pkg.name}: built ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} into dist/`)
