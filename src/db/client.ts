import { getTableColumns, is, SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as schema from "./schema";

export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Db = ReturnType<typeof createDb>;

/** D1 allows at most 100 bound parameters per statement; chunk `IN (...)` lists below that. */
export const MAX_IN_LIST = 90;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * `insert into <table> select <row> from <from> where <condition>`: the row lands only while the condition
 * holds when the statement runs, so it can share a batch with the write that the condition guards. Columns the
 * row leaves out take their defaults, as in a plain insert.
 */
export function insertRowWhere<T extends SQLiteTable>(
  db: Db,
  table: T,
  row: Partial<T["$inferInsert"]>,
  from: SQLiteTable,
  condition: SQL | undefined,
) {
  const values = Object.entries(getTableColumns(table)).map(([key, column]) => {
    const given = (row as Record<string, unknown>)[key];
    if (given !== undefined) return sql`${column.mapToDriverValue(given)}`;
    if (column.defaultFn) return sql`${column.mapToDriverValue(column.defaultFn())}`;
    if (is(column.default, SQL)) return column.default;
    if (column.default !== undefined) return sql`${column.mapToDriverValue(column.default)}`;
    return sql`null`;
  });
  return db.insert(table).select(sql`select ${sql.join(values, sql`, `)} from ${from} where ${condition}`);
}
