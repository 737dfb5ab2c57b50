/** Where the server package lives on disk, from its sources, its build or an installed release alike. */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The folder of the nearest package.json above this module: packages/server
 * in a checkout (run from src/ or from the dist/ bundle and its chunks), the
 * release folder in an install. Files the server ships beside its code (the
 * web app in `web/`) are found from here.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('no package.json above the server code')
    dir = parent
  }
  return dir
}
