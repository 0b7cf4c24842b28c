// A tender fails as the law says: fewer than 3 bids at the deadline, fewer than 3 bids that
// decrypt, or fewer than 3 that pass the compliance review. The failure notice goes to the
// portal and the project returns to the workflow.
import type { Tx } from '../../../db/tx';
import { toDbTime } from '../../../db/time';
import type { Actor } from '../../../http/actor';
import { record } from '../../../supervision/audit/audit';
import { loadLegal } from '../legal';
import { transition } from '../state-machine';
import type { TenderRow } from '../repository';
import { closeJobKey, openJobKey, type TenderingDeps } from '../deps';
import { handFailureToWorkflow } from '../award/workflow-link';
import { announce } from '../documents/service';
import { toPortal } from '../documents/portal';

export type FailureReason = 'TOO_FEW_BIDS' | 'TOO_FEW_VALID_BIDS' | 'TOO_FEW_COMPLIANT_BIDS';

export async function failTender(deps: TenderingDeps, tx: Tx, actor: Actor, row: TenderRow, reason: FailureReason, counts: { bids: number; validBids: number }): Promise<void> {
  const status = transition(row.status, 'fail');
  const now = deps.clock.now();
  await tx('tenders').where({ id: row.id }).update({ status, failed_at: toDbTime(now), failure_reason: reason, updated_at: toDbTime(now) });
  await deps.scheduler.cancel(tx, openJobKey(row.id));
  await deps.scheduler.cancel(tx, closeJobKey(row.id));
  // With too few bids at the deadline the bids are not opened: their ciphertext is discarded.
  if (reason === 'TOO_FEW_BIDS') await tx('tender_bids').where({ tender_id: row.id, status: 'sealed' }).update({ status: 'invalid', invalid_reason: 'TENDER_FAILED_UNOPENED', envelope: null });
  const legal = await loadLegal(tx, row);
  const body = { reason, ...counts, minimum: legal.minValidBids.value, source: legal.minValidBids.source };
  await tx('tender_notices').insert({ tender_id: row.id, kind: 'failure', substantive: false, title: row.title, body: JSON.stringify(body), published_at: toDbTime(now), created_by: actor.userId });
  const m = legal.minValidBids.value;
  const why = { TOO_FEW_BIDS: [`投标截止时投标人不足${m}家`, `fewer than ${m} bids at the deadline`], TOO_FEW_VALID_BIDS: [`有效投标不足${m}家`, `fewer than ${m} bids decrypted validly`], TOO_FEW_COMPLIANT_BIDS: [`通过符合性审查的投标不足${m}家`, `fewer than ${m} bids passed the compliance review`] }[reason];
  await toPortal(tx, actor, row, { kind: 'failure', sourceType: 'tender', sourceId: row.id, titleZh: `${row.title}（${row.reference}）废标公告`, titleEn: `Tender ${row.reference} failed: ${row.title}`, bodyZh: `本项目废标，原因：${why[0]}（${counts.bids} 份投标，${counts.validBids} 份有效）。`, bodyEn: `The tender failed: ${why[1]} (${counts.bids} bids, ${counts.validBids} valid). ${body.source}` });
  await record(tx, actor, { action: 'tender.failed', entityType: 'tender', entityId: row.id, before: { status: row.status }, after: { status, projectId: row.project_id, ...body } });
  await handFailureToWorkflow(tx, actor, { tenderId: row.id, projectId: row.project_id, reason, bids: counts.bids, validBids: counts.validBids, procedure: row.procedure });
  announce(deps, tx, row.id, status, { failureReason: reason });
}
