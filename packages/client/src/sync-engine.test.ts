import { describe, expect, test } from 'vitest'
import type { QueuedOp } from './queue'
import { nextBatch } from './sync-engine'

let seq = 0
const op = (entity_id: string, status: QueuedOp['status'] = 'pending', user_id = 'u1'): QueuedOp => ({
  local_id: `l${++seq}`,
  seq,
  user_id,
  entity_type: 'supplier',
  entity_id,
  operation_type: 'update',
  base_version: 1,
  payload: {},
  client_timestamp: '2026-01-01T00:00:00Z',
  status,
  attempts: 0,
  recorded: false,
})

describe('nextBatch', () => {
  test('takes pending operations in order, up to the batch size', () => {
    const ops = [op('a'), op('b'), op('c')]
    expect(nextBatch(ops, 'u1', 2).map((o) => o.entity_id)).toEqual(['a', 'b'])
  })

  test('stops before a second operation on the same row (it needs the version the first produces)', () => {
    const ops = [op('a'), op('b'), op('a'), op('c')]
    expect(nextBatch(ops, 'u1', 10).map((o) => o.entity_id)).toEqual(['a', 'b'])
  })

  test("skips rows parked on a conflict or failure, and other users' operations", () => {
    const ops = [op('a', 'conflict'), op('a'), op('b', 'pending', 'u2'), op('c', 'failed'), op('d')]
    expect(nextBatch(ops, 'u1', 10).map((o) => o.entity_id)).toEqual(['d'])
  })
})
