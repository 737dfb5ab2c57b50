/**
 * Bundles a bench page for Chromium with esbuild (a root dev dependency:
 * it also builds the packages) into a fresh temp folder with an index.html:
 * ./pull-entry.ts, which the TrackVault server then serves as its web root
 * (same origin as the API, so no CORS is involved), and
 * ./local-write-entry.ts, which Playwright serves itself (no server).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))

/** Builds the page of `entry` (a file here) as `/<script>`; returns its folder (the caller removes it). */
async function buildPage(entry: string, script: string, title: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-bench-web-'))
  await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Our packages from their sources, as everything in the repository (no build of them needed).
    conditions: ['@trackvault/source'],
    minify: true,
    outfile: join(dir, script),
    logLevel: 'warning',
  })
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8"><title>TrackVault ${title} bench</title>` +
      `<script type="module" src="/${script}"></script></head><body>${title} bench</body></html>\n`,
  )
  return dir
}

/** The initial-pull page (`/pull.js`). */
export const buildPullPage = () => buildPage('pull-entry.ts', 'pull.js', 'initial-pull')

/** The local-write page (`/local-write.js`). */
export const buildLocalWritePage = () => buildPage('local-write-entry.ts', 'local-write.js', 'local-write')
