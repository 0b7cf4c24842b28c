// The supplier library: registration, review, profile upkeep, credit record, blacklist.
import type { ModuleContext, PlatformModule } from '../../platform';
import { supplierRoutes } from './routes';
import { seedSuppliers } from './seed';

export function suppliersModule(ctx: ModuleContext): PlatformModule {
  return {
    name: 'suppliers',
    routes: supplierRoutes(ctx.db, ctx.clock),
    seedDemo: () => seedSuppliers(ctx),
  };
}
