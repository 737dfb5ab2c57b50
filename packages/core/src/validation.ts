/** Turning zod issues into the stable VALIDATION_FAILED error body. */
import type { z } from 'zod'
import { AppError } from './errors'

/** Per-field messages: `{ "quantity": ["must be greater than zero"] }`; "_" holds whole-object issues. */
export type FieldErrors = Record<string, string[]>

/** Groups zod issues by dotted field path. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix?: string): FieldErrors {
  const out: FieldErrors = {}
  for (const issue of issues) {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '_'
    const messages = out[path] ?? []
    messages.push(issue.message)
    out[path] = messages
  }
  return out
}

/** Parses `input` with `schema` or throws VALIDATION_FAILED with per-field details. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (!result.success) {
    throw new AppError('VALIDATION_FAILED', undefined, { fields: fieldErrors(result.error.issues) })
  }
  return result.data
}
