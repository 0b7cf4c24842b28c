// The home screen's to-do list (工作台) as a platform module: one read-only route.
import type { ModuleContext, PlatformModule } from '../../platform';
import { drawServiceFor } from '../../execution/draws/module';
import { invitationServiceFor } from '../../execution/invitations/module';
import { worklistRoutes } from './routes';

export function worklistModule(ctx: ModuleContext): PlatformModule {
  const draws = drawServiceFor(ctx);
  const invitations = invitationServiceFor(ctx);
  return { name: 'worklist', routes: worklistRoutes({ db: ctx.db, clock: ctx.clock, myInvitations: draws.myInvitations, mySupplierInvitations: invitations.myInvitations }) };
}
