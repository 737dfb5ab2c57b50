import react from '@vitejs/plugin-react'
import { defaultClientConditions, defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

// The app shell is precached by a service worker, so a reload with no network
// opens the app; the data lives in IndexedDB through @trackvault/client.
export default defineConfig({
  // Our packages are built from their sources (the `@trackvault/source` export condition).
  resolve: { conditions: ['@trackvault/source', ...defaultClientConditions] },
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: {
        name: 'TrackVault',
        short_name: 'TrackVault',
        description: 'Offline-first collection and payments',
        theme_color: '#1f6f43',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,webmanifest}'],
        navigateFallback: '/index.html',
        // Take control of the open page at once, so it works offline without a second visit.
        clientsClaim: true,
        skipWaiting: true,
        navigateFallbackDenylist: [/^\/api\//, /^\/health/, /^\/metrics/],
      },
    }),
  ],
  server: { proxy: { '/api': 'http://localhost:8080', '/health': 'http://localhost:8080' } },
  // Built once into the server package's static folder: `trackvault serve` and the release serve it from there.
  build: { outDir: '../../packages/server/web', emptyOutDir: true, sourcemap: true },
})
