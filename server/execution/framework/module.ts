// Framework-agreement procurement (框架协议采购, MOF Order No. 110): the first stage's call for
// entry and the second stage's orders. Second competitions run on the auctions module's engine.
import type { ModuleContext, PlatformModule } from '../../platform';
import { systemActor } from '../../http/actor';
import type { AuctionService } from '../auctions/service';
import { frameworkRoutes } from './routes';
import { CLOSE_KEYS_JOB, OPEN_JOB, closeKeysJob, openJob, type FrameworkDeps } from './service';
import { seedFramework } from './seed';

export function frameworkModule(ctx: ModuleContext, earlier: readonly PlatformModule[] = []): PlatformModule {
  const auctions = () => {
    const m = earlier.find((x) => x.name === 'auctions') as (PlatformModule & { service?: AuctionService }) | undefined;
    if (!m?.service) throw new Error('the framework module needs the auctions module mounted before it');
    return m.service;
  };
  const deps: FrameworkDeps = { db: ctx.db, sealKey: ctx.config.secrets.sealKey, scheduler: ctx.scheduler, auctions };
  ctx.scheduler.define<{ agreementId: number }>(OPEN_JOB, (job) => openJob(deps, systemActor(OPEN_JOB, ctx.clock), job.payload.agreementId));
  ctx.scheduler.define<{ agreementId: number }>(CLOSE_KEYS_JOB, (job) => closeKeysJob(deps, systemActor(CLOSE_KEYS_JOB, ctx.clock), job.payload.agreementId));
  return {
    name: 'framework',
    routes: frameworkRoutes(deps, ctx.clock),
    seedDemo: () => seedFramework(ctx, deps),
  };
}
