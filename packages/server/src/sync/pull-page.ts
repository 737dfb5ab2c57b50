/** What a pull answers, before it is written as JSON (pull.ts, snapshot.ts). */
/** One entry of a pull page; `json` is the row's stored JSON text (or a tombstone's), sent as is. */
export interface PageEntry {
  entity_type: string
  entity_id: string
  version: number
  deleted: boolean
  json: string
}

export interface PullPage {
  entries: PageEntry[]
  cursor: string
  has_more: boolean
  epoch: string
}
