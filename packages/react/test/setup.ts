/** Unmounts what each test rendered (no vitest globals, so testing-library cannot register this itself). */
import { cleanup } from '@testing-library/react'
import { afterEach } from 'vitest'

afterEach(() => cleanup())
