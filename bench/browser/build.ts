/**
 * Bundles ./pull-entry.ts for Chromium with esbuild (a root dev dependency:
 * it also builds the packages) into a fresh temp folder with an index.html, which
 * the TrackVault server then serves as its web root (same origin as the API,
 * so no CORS is involved).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))

/** Builds the page; returns its folder (the caller removes it). */
export async function buildPullPage(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'trackvault-bench-web-'))
  await build({
    entryPoints: [join(here, 'pull-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    outfile: join(dir, 'pull.js'),
    logLevel: 'warning',
  })
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>TrackVault initial-pull bench</title>' +
      '<script type="module" src="/pull.js"></script></head><body>initial-pull bench</body></html>\n',
  )
  return dir
}
