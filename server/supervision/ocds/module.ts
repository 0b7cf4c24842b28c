// Open data in OCDS 1.1: the public release and record API over the published snapshots.
import type { ModuleContext, PlatformModule } from '../../platform';
import { ocdsRoutes } from './routes';

export function ocdsModule({ db, clock }: ModuleContext): PlatformModule {
  return { name: 'ocds', routes: ocdsRoutes(db, clock) };
}
