// The expert library: profiles, specialties, leave, conflicts, ratings, the expert's own desk.
import type { ModuleContext, PlatformModule } from '../../platform';
import { expertRoutes } from './routes';
import { seedExperts } from './seed';

export function expertsModule(ctx: ModuleContext): PlatformModule {
  return {
    name: 'experts',
    routes: expertRoutes(ctx.db, ctx.clock),
    seedDemo: () => seedExperts(ctx),
  };
}
