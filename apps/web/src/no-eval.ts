/**
 * The server's Content-Security-Policy allows no eval (`script-src 'self'`,
 * packages/server/src/plugins/security-headers.ts). Zod compiles object
 * schemas with `new Function` where it may, and probes for that once: under
 * the policy the probe fails and zod falls back, but the browser reports a
 * violation each time. Telling zod not to compile skips the probe. Imported
 * first by main.tsx, so it runs before any schema is used.
 */
import { config } from 'zod'

config({ jitless: true })
