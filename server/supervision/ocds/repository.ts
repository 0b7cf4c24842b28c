// Everything public about one procurement project, read for its OCDS releases. The execution
// tables (auctions, tenders) are read only when present and only for closed processes: a
// supplier's identity and price are never published while a competition or tender is running.
import type { Knex } from 'knex';
import { hasTable, publicRefsOfProject } from '../reports/sources';

export interface ProjectBundle {
  project: any;
  requisition: any;
  items: any[];
  buyer: any;
  centre: any | null;
  stages: any[];
  notices: any[];
  suppliers: Map<number, any>;
  auction: { row: any; bids: Array<{ supplier_id: number; amount_fen: number; accepted_at: string }> } | null;
  tender: { row: any; bids: any[] } | null;
  contract: any | null;
  payments: any[];
  categories: Map<string, any>;
  /** A framework order: the agreement (first stage) it was placed within. */
  framework: { ref: string; title: string } | null;
}

export async function loadBundle(db: Knex, projectId: number): Promise<ProjectBundle | null> {
  const project = await db('procurement_projects').where({ id: projectId }).first();
  if (!project) return null;
  const [requisition, items, buyer, centre, stages, notices, contract, payments, cats] = await Promise.all([
    db('requisitions').where({ id: project.requisition_id }).first(),
    db('requisition_items').where({ requisition_id: project.requisition_id }).orderBy('line_no'),
    db('organisations').where({ id: project.org_id }).first(),
    db('organisations').where({ kind: 'procurement_centre' }).orderBy('id').first(),
    db('project_stages').where({ project_id: projectId }).orderBy('id'),
    publicRefsOfProject(db, projectId, project.ref).then((refs) => db('notices').whereIn('project_ref', refs).orderBy('published_at').orderBy('id')),
    db('contracts').where({ project_id: projectId }).first(),
    db('payment_requests').where({ project_id: projectId }).orderBy('id'),
    db('catalogue_categories').select('code', 'name_zh', 'name_en'),
  ]);
  let auction: ProjectBundle['auction'] = null;
  if (await hasTable(db, 'auctions')) {
    const a = await db('auctions').where({ project_id: projectId }).orderBy('id', 'desc').first();
    if (a) {
      const closed = a.status === 'closed' || a.status === 'failed';
      // Each participant's best (lowest) accepted price and when it was bid.
      const bids = closed
        ? await db('auction_bids as b')
            .where('b.auction_id', a.id)
            .whereRaw('b.amount_fen = (select min(x.amount_fen) from auction_bids x where x.auction_id = b.auction_id and x.supplier_id = b.supplier_id)')
            .select('b.supplier_id', 'b.amount_fen', db.raw('min(b.accepted_at) as accepted_at'))
            .groupBy('b.supplier_id', 'b.amount_fen')
        : [];
      auction = { row: a, bids };
    }
  }
  let tender: ProjectBundle['tender'] = null;
  if (await hasTable(db, 'tenders')) {
    const t = await db('tenders').where({ project_id: projectId }).orderBy('id', 'desc').first();
    if (t) {
      const opened = ['evaluation', 'report_confirmation', 'evaluated', 'awarded', 'failed'].includes(t.status) && t.decryption_ends_at;
      const bids = opened ? await db('tender_bids').where({ tender_id: t.id }).whereIn('status', ['decrypted', 'invalid', 'disqualified', 'withdrawn']).orderBy('id') : [];
      tender = { row: t, bids };
    }
  }
  let framework: ProjectBundle['framework'] = null;
  if (project.method === 'framework_order' && (await hasTable(db, 'framework_orders'))) {
    const f = await db('framework_orders as o').join('framework_agreements as a', 'a.id', 'o.agreement_id').where('o.project_id', projectId).first('a.ref', 'a.title');
    if (f) framework = { ref: f.ref, title: f.title };
  }
  const supplierIds = new Set<number>();
  if (project.awarded_supplier_id) supplierIds.add(project.awarded_supplier_id);
  auction?.bids.forEach((b) => supplierIds.add(b.supplier_id));
  tender?.bids.forEach((b) => supplierIds.add(b.supplier_id));
  const sups = supplierIds.size ? await db('suppliers').whereIn('id', [...supplierIds]).select('id', 'name', 'credit_code', 'address', 'region', 'size') : [];
  return {
    project,
    requisition,
    items,
    buyer,
    centre: centre ?? null,
    stages,
    notices,
    suppliers: new Map(sups.map((s: any) => [s.id, s])),
    auction,
    tender,
    contract: contract ?? null,
    payments,
    categories: new Map(cats.map((c: any) => [c.code, c])),
    framework,
  };
}
