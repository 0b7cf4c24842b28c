// Releases are snapshots: when a project reaches a stage, the release for it is written once and
// never rewritten (a later change is a later release). Called in the transaction of the change.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import type { Actor } from '../../http/actor';
import { toDbTime } from '../../db/time';
import { record } from '../audit/audit';
import { loadBundle } from './repository';
import { buildReleases, ocidOf } from './build';
import { derivedPublicBaseUrl, parseEnv } from '../../config';

// Set by the platform from PUBLIC_BASE_URL (or its listening address); a script without a
// platform reads the environment the same way.
let configuredBase: string | null = null;
export function setPublicBaseUrl(url: string): void {
  configuredBase = url.replace(/\/+$/, '');
}
export const publicBaseUrl = (): string => configuredBase ?? derivedPublicBaseUrl(parseEnv(process.env));

/** Writes the releases this project has newly become due for; returns how many. */
export async function publishDueReleases(tx: Tx | Knex, actor: Actor | null, projectId: number): Promise<number> {
  const bundle = await loadBundle(tx, projectId);
  if (!bundle || !bundle.requisition || !bundle.buyer) return 0;
  const built = buildReleases(bundle, { baseUrl: publicBaseUrl() });
  const ocid = ocidOf(bundle.project.ref);
  const existing = new Set<string>(await tx('ocds_releases').where({ ocid }).pluck('release_id'));
  let n = 0;
  for (const r of built) {
    if (existing.has(r.releaseId)) continue;
    const [id] = await tx('ocds_releases').insert({ release_id: r.releaseId, ocid, project_id: projectId, tag: r.tag, release_date: toDbTime(new Date(r.date)), json: JSON.stringify(r.release) });
    if (actor) await record(tx as Tx, actor, { action: 'ocds.release_published', entityType: 'ocds_release', entityId: Number(id), after: { ocid, releaseId: r.releaseId, tag: r.tag } });
    n++;
  }
  return n;
}
