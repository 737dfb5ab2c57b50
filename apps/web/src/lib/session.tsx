/**
 * Who is signed in. The session lives in the client's storage, so a reload
 * offline keeps it; sign-in itself needs the network.
 */
import type { User } from '@trackvault/core'
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react'
import { client } from './client'

interface SessionValue {
  user: User | undefined
  ready: boolean
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
    setUser(await client.login(email, password))
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
