// npm run reports:rebuild — recomputes every report fact and both cubes from the workflow's
// tables, then publishes any OCDS releases and result notices not yet published.
import { openFromEnv } from './cli';
import { systemClock } from '../server/db/time';
import { systemActor } from '../server/http/actor';
import { rebuildAll } from '../server/supervision/reports/facts';
import { reconcile } from '../server/supervision/reports/project-hook';

const { db } = await openFromEnv();
const t0 = Date.now();
const stats = await rebuildAll(db, { onProgress: (d, t) => d % 10000 === 0 && console.error(`facts: ${d}/${t} projects`) });
// From the start: every project is checked for releases and notices it is due.
await db('report_state').where({ state_key: 'projects_watermark' }).del();
const projects = await reconcile(db, systemActor('reports-rebuild', systemClock), { batch: 500 });
await db.destroy();
console.log(JSON.stringify({ ...stats, reconciled: projects, seconds: (Date.now() - t0) / 1000 }));
