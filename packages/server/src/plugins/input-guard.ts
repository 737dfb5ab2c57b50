/**
 * Two limits on every request's body, query and path parameters, checked
 * before schema validation: JSON nested deeper than MAX_JSON_DEPTH levels
 * is refused (BAD_REQUEST; deeper values overflow the stack when stored as
 * JSON), and no string or key may contain a NUL character (VALIDATION_FAILED
 * naming the field; PostgreSQL cannot store NUL in text, so both databases
 * refuse it alike).
 */
import { AppError } from '@trackvault/core'
import type { FastifyInstance } from 'fastify'

export const MAX_JSON_DEPTH = 32
const NUL = String.fromCharCode(0)

/** The first offending value of `root`, found without recursion (the input may be arbitrarily deep). */
function findProblem(root: unknown): { path: string[]; problem: 'depth' | 'nul' } | undefined {
  const stack: Array<[unknown, string[]]> = [[root, []]]
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string[]]
    if (typeof value === 'string') {
      if (value.includes(NUL)) return { path, problem: 'nul' }
      continue
    }
    if (typeof value !== 'object' || value === null) continue
    if (path.length >= MAX_JSON_DEPTH) return { path, problem: 'depth' }
    for (const [key, child] of Object.entries(value)) {
      if (key.includes(NUL)) return { path: [...path, key], problem: 'nul' }
      stack.push([child, [...path, key]])
    }
  }
  return undefined
}

export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts: Array<[string, unknown]> = [
      ['', request.body],
      ['querystring', request.query],
      ['params', request.params],
    ]
    for (const [where, value] of parts) {
      const found = findProblem(value)
      if (!found) continue
      if (found.problem === 'depth') {
        throw new AppError('BAD_REQUEST', `JSON may not be nested deeper than ${MAX_JSON_DEPTH} levels`)
      }
      const field = [where, ...found.path].filter(Boolean).join('.').replaceAll(NUL, '\\0') || '_'
      throw new AppError('VALIDATION_FAILED', undefined, { fields: { [field]: ['must not contain NUL characters'] } })
    }
  })
}
