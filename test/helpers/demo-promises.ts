// What the demo city promises a new user (README, "What a new user finds on first start"), as a
// list of checks on the database. Each returns the promises that are not kept, so a test at many
// start dates can say which state a date failed to reach.
import type { Db } from '../../server/db/knex';
import { STAGES } from '../../server/core/projects/state-machine';
import { METHODS } from '../../server/core/methods/rules';
import { TENDER_STATUSES } from '../../server/execution/tendering/state-machine';
import { ALERT_STATUSES } from '../../server/supervision/alerts/state-machine';
import { verifyChain } from '../../server/supervision/audit/audit';
import fs from 'node:fs';
import path from 'node:path';
import { ocdsValidators } from '../../server/supervision/ocds/validate';
import { releasePackage } from '../../server/supervision/ocds/build';
import { CITY } from '../../db/seeds/city';

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
  // Framework-agreement procurement: every first-stage state and an order of each kind.
  await expectAll('framework agreement status', 'framework_agreements', 'status', ['draft', 'calling', 'evaluation', 'entries_published', 'active', 'failed']);
  await expectAll('framework order mode', 'framework_orders', 'mode', ['direct', 'rotation', 'competition']);
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
  missing.push(...(await demoCityUntruths(db)));
  const chain = await verifyChain(db);
  if (!chain.intact) missing.push(`audit chain broken: ${JSON.stringify(chain)}`);
  return missing;
}

/** Methods whose procedure the platform models with bids: their award releases publish them. */
const METHODS_WITH_BIDS = ['public_tender', 'online_price_competition'];

/**
 * The demo data reads true: winners and bidders sell what they compete for, committee members
 * judge their own field, each unit has one name, and the open-data feed publishes the bids of
 * every procedure that had them (each such release valid against the OCDS schemas).
 */
export async function demoCityUntruths(db: Db): Promise<string[]> {
  const out: string[] = [];
  const registered = new Set((await db('supplier_categories').select('supplier_id', 'category_code')).map((r: any) => `${r.supplier_id}:${r.category_code}`));
  const notRegistered = (what: string, rows: Array<{ ref: string; supplier_id: number | null; category_code: string }>) => {
    for (const r of rows) if (r.supplier_id !== null && !registered.has(`${r.supplier_id}:${r.category_code}`)) out.push(`${what} ${r.ref}: supplier ${r.supplier_id} is not registered for ${r.category_code}`);
  };
  // Winners: projects' awards, contracts, competitions, tenders.
  notRegistered('project winner', await db('procurement_projects as p').join('requisitions as r', 'r.id', 'p.requisition_id').whereNotNull('p.awarded_supplier_id').select('p.ref', 'p.awarded_supplier_id as supplier_id', 'r.category_code'));
  notRegistered('contract supplier', await db('contracts as c').join('procurement_projects as p', 'p.id', 'c.project_id').join('requisitions as r', 'r.id', 'p.requisition_id').select('c.ref', 'c.supplier_id', 'r.category_code'));
  notRegistered('competition winner', await db('auctions').whereNotNull('winner_supplier_id').select('code as ref', 'winner_supplier_id as supplier_id', 'category_code'));
  notRegistered('tender winner', await db('tenders as t').join('tender_bids as b', 'b.id', 't.awarded_bid_id').select('t.reference as ref', 'b.supplier_id', 't.category_code'));
  // Bidders: every participant of a competition, every tenderer.
  notRegistered('competition participant', await db('auction_participants as x').join('auctions as a', 'a.id', 'x.auction_id').select('a.code as ref', 'x.supplier_id', 'a.category_code'));
  notRegistered('tenderer', await db('tender_bids as b').join('tenders as t', 't.id', 'b.tender_id').select('t.reference as ref', 'b.supplier_id', 't.category_code'));
  // Experts: each specialty is a catalogue category (shown by its name); a committee member
  // is a specialist in the tender's category or in a category above it.
  const catalogue = new Map((await db('catalogue_categories').select('code', 'parent_code')).map((r: any) => [r.code as string, r.parent_code as string | null]));
  for (const r of await db('expert_specialties').distinct('category_code')) if (!catalogue.has(r.category_code)) out.push(`expert specialty ${r.category_code} is not in the catalogue`);
  const specialties = new Map<number, Set<string>>();
  for (const r of await db('expert_specialties').select('expert_id', 'category_code')) (specialties.get(r.expert_id) ?? specialties.set(r.expert_id, new Set()).get(r.expert_id)!).add(r.category_code);
  for (const m of await db('tender_committee as c').join('tenders as t', 't.id', 'c.tender_id').select('t.reference', 't.category_code', 'c.expert_id')) {
    const own = specialties.get(m.expert_id) ?? new Set();
    let code: string | null = m.category_code;
    let fits = false;
    for (; code && !fits; code = catalogue.get(code) ?? null) fits = own.has(code);
    if (!fits) out.push(`committee of ${m.reference}: expert ${m.expert_id} is no specialist in ${m.category_code}`);
  }
  // One spelling of each unit's name: the city's name and the unit's, and wherever the demo names
  // a unit (an account, an expert's employer) it is that name as stored.
  const orgs = await db('organisations').select('id', 'name_zh', 'name_en');
  const orgName = new Map(orgs.map((o: any) => [Number(o.id), o.name_zh as string]));
  for (const o of orgs) {
    if (!o.name_zh.startsWith(CITY.nameZh)) out.push(`organisation ${o.id} is spelt ${o.name_zh}`);
    if (!o.name_en.startsWith(`${CITY.nameEn} `)) out.push(`organisation ${o.id} is spelt ${o.name_en}`);
  }
  for (const u of await db('users as u').leftJoin('suppliers as s', 's.id', 'u.supplier_id').where('u.is_demo', true).select('u.username', 'u.display_name', 'u.org_id', 's.name as supplier_name')) {
    const named = /（(.+)）$/.exec(u.display_name)?.[1] ?? /\((.+)\)$/.exec(u.display_name)?.[1];
    if (named === undefined) continue;
    const stored = u.org_id ? orgName.get(Number(u.org_id)) : u.supplier_name;
    if (named !== stored) out.push(`account ${u.username} names ${named}, stored as ${stored}`);
  }
  for (const e of await db('experts').whereNotNull('employer_org_id').select('id', 'employer_name', 'employer_org_id')) {
    if (e.employer_name !== orgName.get(Number(e.employer_org_id))) out.push(`expert ${e.id} works for ${e.employer_name}, stored as ${orgName.get(Number(e.employer_org_id))}`);
  }
  const shortNames = new Set(orgs.map((o: any) => (o.name_zh as string).slice(CITY.nameZh.length)));
  for (const t of await db('tenders').select('reference', 'description')) {
    const m = /采购人：([^。]+)。/.exec(t.description ?? '');
    if (m && !orgs.some((o: any) => o.name_zh === m[1])) out.push(`tender ${t.reference} names its purchaser ${m[1]}${shortNames.has(m[1].replace(/^市/, '')) ? ' (a short spelling)' : ''}`);
  }
  // Open data: the award of every procedure with bids publishes them, and so does a failure after an opening.
  const reference = path.resolve(process.cwd(), '../shared/ocds');
  const { releasePackage: validPackage } = ocdsValidators(fs.existsSync(reference) ? reference : undefined);
  const releases = await db('ocds_releases as o').join('procurement_projects as p', 'p.id', 'o.project_id').whereIn('p.method', METHODS_WITH_BIDS).whereIn('o.tag', ['award', 'tenderUpdate']).select('o.release_id', 'o.tag', 'o.json', 'p.id as project_id');
  const openedTenders = new Set((await db('tenders').whereNotNull('project_id').whereNotNull('decryption_ends_at').pluck('project_id')).map(Number));
  for (const r of releases) {
    const release = JSON.parse(r.json);
    if (r.tag === 'tenderUpdate' && !openedTenders.has(Number(r.project_id))) continue; // failed before any bid was opened
    if (!release.bids?.details?.length) out.push(`OCDS release ${r.release_id} (${r.tag}) carries no bids`);
    const pkg = releasePackage([release], { baseUrl: 'http://localhost:3000', uri: 'http://localhost:3000/api/ocds/releases', publishedDate: release.date });
    if (!validPackage(pkg)) out.push(`OCDS release ${r.release_id} is not valid: ${JSON.stringify(validPackage.errors).slice(0, 300)}`);
  }
  return out;
}
