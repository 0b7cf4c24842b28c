// Open data: OCDS 1.1 release packages (paged, by date) and record packages with compiled releases.
import type { Db } from '../../db/knex';
import { defineRoutes } from '../../http/routes';
import { NotFoundError } from '../../http/errors';
import { toDbTime, type Clock } from '../../db/time';
import { toInt } from '../../db/knex';
import { EXTENSIONS } from './validate';
import { PUBLISHER, releasePackage } from './build';
import { compileRelease } from './compile';
import { publicBaseUrl } from './publish';

export interface ReleasePage {
  package: Record<string, any>;
  total: number;
}

/** Releases published in [from, to) (dates), oldest first, a page at a time. */
export async function releasesPage(db: Db, clock: Clock, f: { from?: string; to?: string; page: number; pageSize: number }): Promise<ReleasePage> {
  const q = db('ocds_releases');
  if (f.from) q.where('release_date', '>=', toDbTime(new Date(`${f.from}T00:00:00Z`)));
  if (f.to) q.where('release_date', '<', toDbTime(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000));
  const total = toInt((await q.clone().count({ n: '*' }).first())?.n);
  const rows = await q.orderBy('release_date').orderBy('id').offset((f.page - 1) * f.pageSize).limit(f.pageSize).select('json');
  const base = publicBaseUrl();
  const qs = new URLSearchParams({ ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}), page: String(f.page), pageSize: String(f.pageSize) });
  return { total, package: releasePackage(rows.map((r: any) => JSON.parse(r.json)), { baseUrl: base, uri: `${base}/api/ocds/releases?${qs}`, publishedDate: clock.now().toISOString() }) };
}

export async function recordPackage(db: Db, clock: Clock, ocid: string) {
  const rows = await db('ocds_releases').where({ ocid }).orderBy('release_date').orderBy('id').select('json');
  if (!rows.length) throw new NotFoundError(`No OCDS process ${ocid}`, null, 'OCID_NOT_FOUND');
  const releases = rows.map((r: any) => JSON.parse(r.json));
  const base = publicBaseUrl();
  return {
    uri: `${base}/api/ocds/records/${encodeURIComponent(ocid)}`,
    version: '1.1',
    extensions: [EXTENSIONS.bids, EXTENSIONS.auction],
    publishedDate: clock.now().toISOString(),
    publisher: { name: PUBLISHER.name, scheme: PUBLISHER.scheme },
    license: 'https://creativecommons.org/licenses/by/4.0/',
    publicationPolicy: `${base}/portal`,
    packages: [`${base}/api/ocds/releases`],
    records: [{ ocid, releases, compiledRelease: compileRelease(releases) }],
  };
}

const day = { type: 'string', format: 'date' };

export function ocdsRoutes(db: Db, clock: Clock) {
  return defineRoutes([
    {
      method: 'get',
      path: '/api/ocds/releases',
      tag: 'open-data',
      summary: 'OCDS 1.1 release package: releases published in a date range, oldest first, paged (Link and X-Total-Count headers)',
      roles: 'public',
      query: { type: 'object', additionalProperties: false, properties: { from: day, to: day, page: { type: 'integer', minimum: 1, maximum: 1000000, default: 1 }, pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
      handler: async ({ query, res }) => {
        const r = await releasesPage(db, clock, query);
        res.setHeader('X-Total-Count', String(r.total));
        if (query.page * query.pageSize < r.total) {
          const next = new URLSearchParams({ ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}), page: String(query.page + 1), pageSize: String(query.pageSize) });
          res.setHeader('Link', `</api/ocds/releases?${next}>; rel="next"`);
        }
        return r.package;
      },
    },
    {
      method: 'get',
      path: '/api/ocds/records/:ocid',
      tag: 'open-data',
      summary: 'OCDS 1.1 record package for one contracting process, with its compiled release',
      roles: 'public',
      params: { type: 'object', properties: { ocid: { type: 'string', pattern: '^ocds-[a-z0-9]{6}-[A-Za-z0-9-]{1,60}$' } }, required: ['ocid'] },
      handler: ({ params }) => recordPackage(db, clock, params.ocid),
    },
  ]);
}
