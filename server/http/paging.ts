// Paged listings: one query shape, one response shape.
import type { Knex } from 'knex';

export const pageQuery = {
  page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
} as const;

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Runs one page of a query and counts the whole: give it the query builder, not awaited rows. */
export async function paged<T>(qb: Knex.QueryBuilder, page: number, pageSize: number, map: (row: any) => T): Promise<Paged<T>> {
  if (typeof (qb as { clone?: unknown } | null)?.clone !== 'function') throw new TypeError('paged() needs a query builder, not rows (do not await the query)');
  const countRow = await qb.clone().clearSelect().clearOrder().count({ n: '*' }).first();
  const rows = await qb.offset((page - 1) * pageSize).limit(pageSize);
  return { items: rows.map(map), total: Number((countRow as { n: number | string } | undefined)?.n ?? 0), page, pageSize };
}

export function pagedSchema(item: Record<string, unknown>) {
  return { type: 'object', properties: { items: { type: 'array', items: item }, total: { type: 'integer' }, page: { type: 'integer' }, pageSize: { type: 'integer' } } };
}
