/**
 * Routes (collection or buying centres): suppliers belong to one, collectors
 * are assigned to routes for dated periods, and a collector's device holds
 * its routes' suppliers (domain/sync-scope.ts). The change log records each
 * supplier-keyed change's route (`scope`, and `previous_scope` when it moved),
 * so a pull filters by route in SQL; `route_members` counts each route's
 * moves, part of the stamp that tells a device its scope changed.
 */
import { type CreateTableBuilder, type Kysely, sql } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

function synced<T extends string>(table: CreateTableBuilder<T, never>) {
  return table
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('deleted_at', 'text')
    .addColumn('created_by', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('device_id', 'text')
    .addColumn('sync_metadata', 'text')
}

export async function up(db: AnyDb): Promise<void> {
  await synced(db.schema.createTable('routes'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('routes_code')
    .on('routes')
    .column('code')
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute()

  await synced(db.schema.createTable('route_assignments'))
    .addColumn('route_id', 'text', (c) => c.notNull().references('routes.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('valid_from', 'text', (c) => c.notNull())
    .addColumn('valid_to', 'text')
    .execute()
  await db.schema.createIndex('route_assignments_user').on('route_assignments').column('user_id').execute()
  await db.schema.createIndex('route_assignments_route').on('route_assignments').column('route_id').execute()

  await db.schema
    .createTable('route_members')
    .addColumn('route_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute()

  await db.schema.alterTable('suppliers').addColumn('route_id', 'text').execute()
  await db.schema.createIndex('suppliers_route').on('suppliers').column('route_id').execute()

  await db.schema.alterTable('change_log').addColumn('scope', 'text').execute()
  await db.schema.alterTable('change_log').addColumn('previous_scope', 'text').execute()
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('change_log').dropColumn('previous_scope').execute()
  await db.schema.alterTable('change_log').dropColumn('scope').execute()
  await db.schema.dropIndex('suppliers_route').execute()
  await db.schema.alterTable('suppliers').dropColumn('route_id').execute()
  await db.schema.dropTable('route_members').execute()
  await db.schema.dropTable('route_assignments').execute()
  await db.schema.dropTable('routes').execute()
}
