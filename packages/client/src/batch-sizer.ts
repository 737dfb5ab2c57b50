import { MAX_BATCH_OPERATIONS } from '@trackvault/core'

/** Where an adaptive batch size starts (the old fixed default). */
export const START_BATCH_SIZE = 10
/** The default ceiling of an adaptive batch size. */
export const DEFAULT_MAX_BATCH_SIZE = 200
/** A whole batch answered faster than this lets the next one be twice as large. */
export const FAST_ANSWER_MS = 1000
/** An answer slower than this halves the next batch. */
export const SLOW_ANSWER_MS = 4000

/**
 * How many operations go in the next push. Fixed when the user set
 * `batchSize` (halved only on 413, as the server refuses bodies over 4 MiB).
 * Otherwise it adapts, like TCP's slow start: it starts at 10 and doubles,
 * up to `maxBatchSize` (200 by default, never above the server's 500),
 * while full batches are answered whole within a second; it halves (not
 * below 10) when an answer is slow, needed retries, or came back partial
 * (the server stopped on a transient error), and on 413 halves down to 1
 * and stays at most there for the rest of the sync.
 */
export class BatchSizer {
  private current: number
  private ceiling: number
  private readonly floor: number

  constructor(
    private readonly fixed: number | undefined,
    max: number = DEFAULT_MAX_BATCH_SIZE,
  ) {
    const cap = Math.max(1, Math.min(Math.floor(max), MAX_BATCH_OPERATIONS))
    this.ceiling = fixed === undefined ? cap : Math.max(1, Math.min(Math.floor(fixed), MAX_BATCH_OPERATIONS))
    this.floor = Math.min(START_BATCH_SIZE, this.ceiling)
    this.current = fixed === undefined ? this.floor : this.ceiling
  }

  get size(): number {
    return this.current
  }

  /** The server refused the batch as too large (413). False if it cannot get smaller. */
  tooLarge(): boolean {
    if (this.current <= 1) return false
    this.current = Math.max(1, Math.floor(this.current / 2))
    this.ceiling = this.current
    return true
  }

  /**
   * A batch of `sent` operations was answered (HTTP 200) in `ms` (the last
   * attempt), after `attempts` tries; `whole` is false if results are missing.
   */
  answered(sent: number, ms: number, attempts: number, whole: boolean): void {
    if (this.fixed !== undefined) return
    if (attempts > 1 || !whole || ms > SLOW_ANSWER_MS) {
      this.current = Math.max(this.floor, Math.floor(this.current / 2))
    } else if (ms < FAST_ANSWER_MS && sent >= this.current) {
      this.current = Math.min(this.ceiling, this.current * 2)
    }
  }
}
