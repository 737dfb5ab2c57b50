import './no-eval'
import './i18n'
import { registerSW } from 'virtual:pwa-register'
import { SyncProvider } from '@trackvault/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import { App } from './app'
import { client } from './lib/client'
import { SessionProvider } from './lib/session'
import { ToastProvider } from './lib/toast'
import './styles.css'

// Precache the app shell so a reload without network still opens the app.
registerSW({ immediate: true })

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <SyncProvider client={client}>
      <SessionProvider>
        <ToastProvider>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </ToastProvider>
      </SessionProvider>
    </SyncProvider>
  </StrictMode>,
)
