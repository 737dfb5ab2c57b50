/**
 * Grades and quality pricing: a product says how it is priced (flat, graded, quality) and which
 * grades it has; a rate may name a grade, or carry a quality formula's fat and SNF rates; a
 * collection carries its grade or its fat and SNF readings. Existing products are flat.
 */
import type { Kysely } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time
type AnyDb = Kysely<any>

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('products')
    .addColumn('pricing', 'text', (c) => c.notNull().defaultTo('flat'))
    .execute()
  await db.schema
    .alterTable('products')
    .addColumn('grades', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute()
  await db.schema.alterTable('product_rates').addColumn('grade', 'text').execute()
  await db.schema.alterTable('product_rates').addColumn('fat_rate_minor', 'bigint').execute()
  await db.schema.alterTable('product_rates').addColumn('snf_rate_minor', 'bigint').execute()
  await db.schema.alterTable('collections').addColumn('grade', 'text').execute()
  await db.schema.alterTable('collections').addColumn('fat_hundredths', 'bigint').execute()
  await db.schema.alterTable('collections').addColumn('snf_hundredths', 'bigint').execute()
}

export async function down(db: AnyDb): Promise<void> {
  for (const [table, columns] of [
    ['collections', ['snf_hundredths', 'fat_hundredths', 'grade']],
    ['product_rates', ['snf_rate_minor', 'fat_rate_minor', 'grade']],
    ['products', ['grades', 'pricing']],
  ] as const) {
    for (const column of columns) await db.schema.alterTable(table).dropColumn(column).execute()
  }
}
