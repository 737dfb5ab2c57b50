/**
 * What core's schema of one field says about what is typed into it, for the
 * forms' inline checks (lib/form-state.ts `shown`): the same words the server
 * answers with ("is not a number", "must be greater than zero"), because they
 * come from the same schema, in the chosen language (lib/messages.ts).
 *
 *   typedProblem(paymentInput.shape.amount, '12abc') // "is not a number"
 *   typedProblem(paymentInput.shape.amount, '-5')    // "must be greater than zero"
 *   typedProblem(paymentInput.shape.amount, '')      // undefined: blank is the submit's "Enter the amount"
 */
import { fieldProblem } from '@trackvault/core'
import type { z } from 'zod'
import { labelledText, problemText } from './messages'

/** The first message of `schema` for the trimmed `text`, or undefined when it passes or is blank. */
export function typedProblem(schema: z.ZodType, text: string): string | undefined {
  const trimmed = text.trim()
  if (!trimmed) return undefined
  const parsed = schema.safeParse(trimmed)
  return parsed.success ? undefined : problemText(parsed.error.issues[0]?.message ?? fieldProblem('invalid'))
}

/** "Amount" and "must be greater than zero" -> "Amount must be greater than zero"; undefined stays undefined. */
export const labelled = (label: string, problem: string | undefined) =>
  problem ? labelledText(label, problem) : undefined
