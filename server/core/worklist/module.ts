// The home screen's to-do list (工作台) as a platform module: one read-only route.
import type { ModuleContext, PlatformModule } from '../../platform';
import { drawServiceFor } from '../../execution/draws/module';
import { worklistRoutes } from './routes';

export function worklistModule(ctx: ModuleContext): PlatformModule {
  const draws = drawServiceFor(ctx);
  return { name: 'worklist', routes: worklistRoutes({ db: ctx.db, clock: ctx.clock, myInvitations: draws.myInvitations }) };
}
