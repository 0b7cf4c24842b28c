// The procurement workflow body as one platform module: requisitions, approvals, projects,
// contracts, the finance link and the rule book, with their scheduled jobs and demo data.
import type { ModuleContext, PlatformModule } from '../../platform';
import { withTx, type Tx } from '../../db/tx';
import type { Db } from '../../db/knex';
import type { Clock } from '../../db/time';
import type { Scheduler } from '../../scheduler/scheduler';
import { systemActor, type Actor } from '../../http/actor';
import { requisitionRoutes } from '../requisitions/routes';
import { projectRoutes } from '../projects/routes';
import { contractRoutes } from '../contracts/routes';
import { financeRoutes } from '../finance/routes';
import { ruleRoutes } from '../rules/routes';
import { advanceJob, stageDueJob } from '../projects/service';
import { approvalDueJob } from '../approvals/service';
import { challengeDueJob } from '../projects/challenges';
import { deliver } from '../finance/outbox';
import { JOB } from './jobs';
import { seedWorkflowDemo } from './seed';
import { startNotifications } from './notify';
import { AttachmentStore } from '../requisitions/attachments';

/** The workflow's scheduled-job handlers (also used by the demo seed with its own clock). */
export function defineWorkflowJobs(scheduler: Scheduler, deps: { db: Db; clock: Clock; secret: string }): void {
  const { db, clock, secret } = deps;
  const inTx = (job: string, fn: (tx: Tx, actor: Actor, payload: any) => Promise<void>) => async (j: { payload: any }) => {
    await withTx(db, (tx) => fn(tx, systemActor(job, clock), j.payload));
  };
  scheduler.define(JOB.advance, inTx('project-deadline', advanceJob));
  scheduler.define(JOB.stageDue, inTx('project-time-limit', stageDueJob));
  scheduler.define(JOB.approvalDue, inTx('approval-time-limit', approvalDueJob));
  scheduler.define(JOB.challengeDue, inTx('challenge-reply-limit', challengeDueJob));
  scheduler.define<{ outboxId: number }>(JOB.financeDeliver, async (j) => {
    await deliver({ db, clock, secret }, j.payload.outboxId, systemActor('finance-webhook', clock));
  });
}

export function workflowModule(ctx: ModuleContext): PlatformModule {
  const { db, clock, scheduler, config } = ctx;
  const secret = config.secrets.financeHmacSecret;
  defineWorkflowJobs(scheduler, { db, clock, secret });
  let stopNotifications: (() => void) | null = null;
  return {
    name: 'workflow',
    routes: [...requisitionRoutes(db, AttachmentStore.forDataDir(db, config.dataDir)), ...projectRoutes(db), ...contractRoutes(db), ...financeRoutes(db, secret, clock), ...ruleRoutes(db)],
    seedDemo: () => seedWorkflowDemo(ctx),
    start: () => {
      stopNotifications = startNotifications({ db, realtime: ctx.realtime, log: ctx.log });
    },
    stop: () => {
      stopNotifications?.();
      stopNotifications = null;
    },
  };
}
