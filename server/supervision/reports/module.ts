// Reports for the finance bureau, the portal's results and project pages, and the reconciler
// that keeps report facts and OCDS releases in step with the workflow.
import path from 'node:path';
import type { ModuleContext, PlatformModule } from '../../platform';
import { systemActor } from '../../http/actor';
import { ReportExports } from './exports';
import { reportRoutes } from './routes';
import { portalRoutes } from './portal';
import { reconcile } from './project-hook';

export const RECONCILE_JOB = 'reports.reconcile';
const RECONCILE_EVERY_MS = 30_000;

export function reportsModule({ db, config, clock, log, scheduler }: ModuleContext): PlatformModule {
  const exportsSvc = new ReportExports({ db, clock, log, dir: path.join(config.dataDir, 'exports') });
  const scheduleNext = (runAt: Date) => scheduler.schedule(db, { kind: RECONCILE_JOB, key: RECONCILE_JOB, runAt });
  scheduler.define(RECONCILE_JOB, async () => {
    const n = await reconcile(db, systemActor('reports-reconcile', clock));
    if (n) log.info('reports reconciled', { projects: n });
    await scheduleNext(new Date(clock.now().getTime() + RECONCILE_EVERY_MS));
  });
  return {
    name: 'reports',
    routes: [...reportRoutes(db, exportsSvc), ...portalRoutes(db, clock)],
    async seedDemo() {
      // The body's demo projects are in place: derive the facts and publish their releases.
      await reconcile(db, systemActor('seed', clock));
    },
    async start() {
      await scheduleNext(clock.now());
      await exportsSvc.start();
    },
    stop() {
      exportsSvc.stop();
    },
  };
}
