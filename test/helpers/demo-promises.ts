// What the demo city promises a new user (README, "What a new user finds on first start"), as a
// list of checks on the database. Each returns the promises that are not kept, so a test at many
// start dates can say which state a date failed to reach.
import type { Db } from '../../server/db/knex';
import { STAGES } from '../../server/core/projects/state-machine';
import { METHODS } from '../../server/core/methods/rules';
import { TENDER_STATUSES } from '../../server/execution/tendering/state-machine';
import { ALERT_STATUSES } from '../../server/supervision/alerts/state-machine';
import { verifyChain } from '../../server/supervision/audit/audit';

export async function demoCityShortfalls(db: Db): Promise<string[]> {
  const missing: string[] = [];
  const values = async (table: string, col: string) => new Set((await db(table).distinct(col)).map((r: any) => String(r[col])));
  const expectAll = async (what: string, table: string, col: string, wanted: readonly string[]) => {
    const have = await values(table, col);
    for (const w of wanted) if (!have.has(w)) missing.push(`${what}: ${w}`);
  };
  const count = async (table: string, where: (q: any) => any = (q) => q) => Number((await where(db(table)).count({ n: '*' }).first())?.n ?? 0);
  const atLeast = async (what: string, n: number, table: string, where?: (q: any) => any) => {
    const got = await count(table, where);
    if (got < n) missing.push(`${what}: ${got} < ${n}`);
  };

  // The workflow body.
  await expectAll('requisition status', 'requisitions', 'status', ['draft', 'submitted', 'returned', 'approved', 'rejected', 'cancelled']);
  await expectAll('project stage', 'procurement_projects', 'stage', STAGES);
  await expectAll('project method', 'procurement_projects', 'method', METHODS);
  await expectAll('contract status', 'contracts', 'status', ['drafted', 'purchaser_signed', 'signed', 'accepted']);
  await expectAll('payment request status', 'payment_requests', 'status', ['requested', 'accepted', 'rejected', 'paid']);
  await expectAll('approval step status', 'approval_steps', 'status', ['pending', 'waiting', 'approved', 'rejected', 'returned', 'skipped']);
  await expectAll('challenge status', 'project_challenges', 'status', ['open', 'dismissed']);
  await atLeast('split-suspected requisition', 1, 'requisitions', (q) => q.where({ split_suspected: true }));
  await atLeast('overdue approval step', 1, 'audit_events', (q) => q.where({ action: 'step.overdue', entity_type: 'approval_step' }));
  await atLeast('overdue project step', 1, 'audit_events', (q) => q.where({ action: 'step.overdue', entity_type: 'project' }));
  // Libraries and the sealed draw.
  await expectAll('supplier status', 'suppliers', 'status', ['pending', 'approved', 'rejected', 'more_info']);
  await atLeast('blacklisted supplier', 1, 'supplier_blacklist', (q) => q.whereNull('lifted_at'));
  await atLeast('lifted blacklist entry', 1, 'supplier_blacklist', (q) => q.whereNotNull('lifted_at'));
  await expectAll('expert status', 'experts', 'status', ['suspended', 'disqualified']);
  await expectAll('draw status', 'draws', 'status', ['sealed', 'revealed']);
  await expectAll('draw invitation status', 'draw_invitations', 'status', ['pending', 'accepted', 'declined']);
  // The execution wing.
  await expectAll('tender status', 'tenders', 'status', TENDER_STATUSES);
  await expectAll('competition status', 'auctions', 'status', ['announced', 'closed', 'draft', 'failed', 'running', 'suspended']);
  // The supervision wing, reports and open data.
  await expectAll('alert status', 'sv_alerts', 'status', ALERT_STATUSES);
  await atLeast('report facts', 1, 'report_project_facts');
  await atLeast('OCDS releases', 1, 'ocds_releases');
  const chain = await verifyChain(db);
  if (!chain.intact) missing.push(`audit chain broken: ${JSON.stringify(chain)}`);
  return missing;
}
