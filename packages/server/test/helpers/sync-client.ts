/** Builds sync operations the way a device would, with per-device seq and local ids. */
import { newId } from '@trackvault/core'
import type { Api } from './test-server'

export class TestDevice {
  private seq = 0
  constructor(
    readonly api: Api,
    readonly deviceId: string,
  ) {}

  op(
    entity_type: string,
    operation_type: 'create' | 'update' | 'delete',
    entity_id: string,
    payload: Record<string, unknown> = {},
    base_version?: number,
  ) {
    this.seq += 1
    return {
      local_id: `op-${newId()}`,
      seq: this.seq,
      entity_type,
      entity_id,
      operation_type,
      ...(base_version === undefined ? {} : { base_version }),
      payload,
      client_timestamp: new Date().toISOString(),
    }
  }

  push(operations: unknown[]) {
    return this.api.post('/api/sync', { device_id: this.deviceId, operations })
  }
}
