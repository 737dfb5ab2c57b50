/** Entity ids: UUIDv7, time-ordered, made wherever the row is born (device or server). */
import { v7 } from 'uuid'

/** A new UUIDv7. */
export function newId(): string {
  return v7()
}
