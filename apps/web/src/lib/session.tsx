/**
 * Who is signed in. The session lives in the client's storage, so a reload
 * offline keeps it. Signing in needs the network the first time on a
 * device; after that, without signal, the client's offline sign-in checks
 * the password on the device.
 */
import type { User } from '@trackvault/core'
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react'
import { client } from './client'
import { isOffline } from './format'

interface SessionValue {
  user: User | undefined
  ready: boolean
  /** Online if the server answers, else (after one online sign-in here) offline on this device. */
  login(email: string, password: string): Promise<void>
  /** Signs out; resolves with how many changes were still unsynced (they stay queued). */
  logout(): Promise<number>
}

const SessionContext = createContext<SessionValue | undefined>(undefined)

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | undefined>(client.user)
  const [ready, setReady] = useState(false)
  useEffect(() => {
    void client.ready.then(() => {
      setUser(client.user)
      setReady(true)
      client.start()
    })
  }, [])
  const login = useCallback(async (email: string, password: string) => {
    // Without signal (or when the server cannot be reached), the device's offline sign-in.
    if (client.status.current.online) {
      try {
        setUser(await client.login(email, password))
        return
      } catch (err) {
        if (!isOffline(err)) throw err
      }
    }
    setUser(await client.unlockOffline(email, password))
  }, [])
  const logout = useCallback(async () => {
    const { unsynced } = await client.logout()
    setUser(undefined)
    return unsynced
  }, [])
  return <SessionContext.Provider value={{ user, ready, login, logout }}>{children}</SessionContext.Provider>
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession needs <SessionProvider>')
  return value
}
