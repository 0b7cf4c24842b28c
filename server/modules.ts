// The platform's modules, in mount order. A module contributes routes, channels and jobs.
import type { ModuleContext, PlatformModule } from './platform';
import { masterDataModule } from './core/masterdata/module';
import { auditModule } from './supervision/audit/module';
import { supervisionModule } from './supervision/module';
import { suppliersModule } from './execution/suppliers/module';
import { expertsModule } from './execution/experts/module';
import { drawsModule } from './execution/draws/module';
import { invitationsModule } from './execution/invitations/module';
import { workflowModule } from './core/workflow/module';
import { auctionsModule } from './execution/auctions/module';
import { noticesModule } from './core/notices/module';
import { tenderingModule } from './execution/tendering/module';
import { consultationModule } from './execution/consultation/module';
import { reportsModule } from './supervision/reports/module';
import { ocdsModule } from './supervision/ocds/module';
import { worklistModule } from './core/worklist/module';
import { evaluationWatchModule } from './supervision/evaluation/module';
import { frameworkModule } from './execution/framework/module';

// A module may read the modules mounted before it (framework orders run their second competition on the auctions module's engine).
export const MODULES: Array<(ctx: ModuleContext, earlier: readonly PlatformModule[]) => PlatformModule> = [masterDataModule, noticesModule, suppliersModule, expertsModule, drawsModule, invitationsModule, workflowModule, auctionsModule, frameworkModule, tenderingModule, consultationModule, auditModule, reportsModule, ocdsModule, supervisionModule, evaluationWatchModule, worklistModule];
