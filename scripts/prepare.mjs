#!/usr/bin/env node
/**
 * `prepare` (runs on `npm ci` and `npm install`): builds the server and the
 * web app, which `npm start` runs and serves. A production install
 * (`npm ci --omit=dev`) has no build tools and needs no build: then this
 * says so and succeeds.
 */
import { execSync } from 'node:child_process'

const missing = ['esbuild', 'vite'].filter((tool) => {
  try {
    import.meta.resolve(tool)
    return false
  } catch {
    return true
  }
})
if (missing.length > 0) {
  console.log(`prepare: ${missing.join(', ')} not installed (a production install): nothing to build`)
} else {
  execSync('npm run build', { stdio: 'inherit' })
}
