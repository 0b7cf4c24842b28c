// The first stage of a framework agreement as an OCDS contracting process (ocid ocds-ygcg01-<KJXY
// ref>): the call for entry as its tender with techniques.hasFrameworkAgreement, the entry
// suppliers as its awards (one per supplier, with their ceiling prices), each signature as a
// contract; a failed call as a tenderUpdate. Each order's process links here (relatedProcesses,
// relationship "framework"). techniques is OCDS 1.2 core (and the techniques extension for 1.1);
// /work/shared/ocds holds no techniques extension, so the field is published as an additional
// property, which the 1.1 schemas allow.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import type { Actor } from '../../http/actor';
import { toDbTime, isoFromDb } from '../../db/time';
import { record } from '../audit/audit';
import { ocidOf } from './build';
import { publicBaseUrl } from './publish';

/** The second stage: competition reopens it, direct selection and rotation do not. */
const reopening = (modes: string) => {
  const m = modes.split(',');
  const re = m.includes('competition');
  return re && m.length > 1 ? 'withAndWithoutReopeningCompetition' : re ? 'withReopeningCompetition' : 'withoutReopeningCompetition';
};

const yuan = (fen: number | string) => ({ amount: Number(fen) / 100, currency: 'CNY' });

export async function agreementReleases(db: Knex, agreementId: number, baseUrl: string) {
  const a = await db('framework_agreements').where({ id: agreementId }).first();
  if (!a || a.status === 'draft' || !a.call_published_at) return [];
  const centre = await db('organisations').where({ kind: 'procurement_centre' }).orderBy('id').first();
  const items = await db('framework_agreement_items').where({ agreement_id: agreementId }).orderBy('line_no');
  const cats = new Map((await db('catalogue_categories').whereIn('code', items.map((i: any) => i.category_code))).map((c: any) => [c.code, c]));
  const entries = await db('framework_entries as e').join('suppliers as s', 's.id', 'e.supplier_id').where('e.agreement_id', agreementId).orderBy('e.rank').select('e.*', 's.name', 's.credit_code', 's.region', 's.size');
  const prices = entries.length ? await db('framework_entry_prices').whereIn('entry_id', entries.map((e: any) => e.id)) : [];
  const notices = await db('notices').where({ source_type: 'framework_agreement', source_id: String(agreementId) }).orderBy('id');
  const ocid = ocidOf(a.ref);
  const centreRef = { id: `CN-ORG-${centre.code}`, name: centre.name_zh };
  const centreParty = { ...centreRef, identifier: { scheme: 'CN-ORG', id: centre.code, legalName: centre.name_zh }, address: { region: centre.region, countryName: 'China' }, roles: ['buyer', 'procuringEntity'] };
  const supplierRef = (e: any) => ({ id: `CN-USCC-${e.credit_code}`, name: e.name });
  const supplierParty = (e: any) => ({ ...supplierRef(e), identifier: { scheme: 'CN-USCC', id: e.credit_code, legalName: e.name }, address: { region: e.region, countryName: 'China' }, roles: ['supplier'] });
  const ocdsItems = items.map((i: any) => ({ id: String(i.line_no), description: `${i.name} — ${i.specification}`, classification: { scheme: 'CN-GPC', id: i.category_code, description: cats.get(i.category_code) ? `${cats.get(i.category_code).name_zh} ${cats.get(i.category_code).name_en}` : i.category_code }, unit: { name: i.unit, value: yuan(i.max_price_fen) } }));
  const docs = notices.map((n: any) => ({ id: `notice-${n.id}`, documentType: n.kind === 'award' ? 'awardNotice' : 'tenderNotice', title: n.title_zh, description: n.title_en, url: `${baseUrl}/portal/notices/${n.id}`, datePublished: isoFromDb(n.published_at), format: 'text/html', language: 'zh' }));
  const tender = (status: string) => ({
    id: a.ref,
    title: a.title,
    description: a.entry_conditions,
    status,
    items: ocdsItems,
    procuringEntity: centreRef,
    mainProcurementCategory: a.category_kind === 'services' ? 'services' : 'goods',
    procurementMethod: 'open',
    procurementMethodDetails: `Framework agreement call for entry, ${a.evaluation_method === 'price_priority' ? 'price priority' : 'quality priority'} (框架协议采购征集)`,
    awardCriteria: a.evaluation_method === 'price_priority' ? 'priceOnly' : 'ratedCriteria',
    submissionMethod: ['electronicSubmission'],
    tenderPeriod: { startDate: isoFromDb(a.call_published_at), endDate: isoFromDb(a.response_deadline) },
    contractPeriod: { startDate: `${a.term_start}T00:00:00+08:00`, endDate: `${a.term_end}T23:59:59+08:00` },
    techniques: { hasFrameworkAgreement: true, frameworkAgreement: { method: reopening(String(a.second_stage_modes)), periodRationale: 'MOF Order No. 110 (framework-agreement procurement, 框架协议采购)' } },
    documents: docs,
  });
  const base = (tag: string, date: string, parties: any[]) => ({ ocid, id: `${ocid}-${tag}`, date, tag: [tag], initiationType: 'tender', language: 'zh', buyer: centreRef, parties });
  const out: Array<{ releaseId: string; tag: string; date: string; release: any }> = [];
  const push = (tag: string, date: string, release: any) => out.push({ releaseId: release.id, tag, date, release: JSON.parse(JSON.stringify(release)) });
  const t0 = isoFromDb(a.call_published_at)!;
  push('tender', t0, { ...base('tender', t0, [centreParty]), tender: tender('active') });
  if (a.status === 'failed') {
    const d = isoFromDb(a.updated_at)!;
    push('tenderUpdate', d, { ...base('tenderUpdate', d, [centreParty]), tender: { ...tender('unsuccessful'), statusDetails: a.failure_reason ?? undefined } });
  }
  if (a.entries_published_at) {
    const d = isoFromDb(a.entries_published_at)!;
    const awards = entries.map((e: any) => ({
      id: `${a.ref}-entry-${e.rank}`,
      title: `${a.title} — ${e.name}`,
      status: 'active',
      date: d,
      value: yuan(e.total_fen),
      suppliers: [supplierRef(e)],
      items: items.map((i: any) => {
        const p = prices.find((x: any) => x.entry_id === e.id && x.item_id === i.id);
        return { id: String(i.line_no), description: `${i.name} — ${p?.brand ?? ''} ${p?.model ?? ''}`.trim(), classification: { scheme: 'CN-GPC', id: i.category_code }, unit: { name: i.unit, value: yuan(p?.unit_price_fen ?? 0) } };
      }),
      contractPeriod: { startDate: `${a.term_start}T00:00:00+08:00`, endDate: `${a.term_end}T23:59:59+08:00` },
    }));
    const parties = [centreParty, ...entries.map(supplierParty)];
    push('award', d, { ...base('award', d, parties), tender: tender('complete'), awards });
    const signed = entries.filter((e: any) => e.signed_at);
    if (signed.length === entries.length && signed.length > 0) {
      const cd = signed.map((e: any) => isoFromDb(e.signed_at)!).sort().pop()!;
      push('contract', cd, { ...base('contract', cd, parties), awards, contracts: signed.map((e: any) => ({ id: `${a.ref}-agreement-${e.rank}`, awardID: `${a.ref}-entry-${e.rank}`, title: `${a.title} 框架协议 — ${e.name}`, status: 'active', dateSigned: isoFromDb(e.signed_at), period: { startDate: `${a.term_start}T00:00:00+08:00`, endDate: `${a.term_end}T23:59:59+08:00` } })) });
    }
  }
  return out;
}

/** Writes the agreement's releases it has newly become due for (in the caller's transaction). */
export async function publishAgreementReleases(tx: Tx, actor: Actor, agreementId: number): Promise<number> {
  const built = await agreementReleases(tx, agreementId, publicBaseUrl());
  if (!built.length) return 0;
  const ocid = built[0].release.ocid;
  const existing = new Set<string>(await tx('ocds_releases').where({ ocid }).pluck('release_id'));
  let n = 0;
  for (const r of built) {
    if (existing.has(r.releaseId)) continue;
    const [id] = await tx('ocds_releases').insert({ release_id: r.releaseId, ocid, project_id: 0, framework_agreement_id: agreementId, tag: r.tag, release_date: toDbTime(new Date(r.date)), json: JSON.stringify(r.release) });
    await record(tx, actor, { action: 'ocds.release_published', entityType: 'ocds_release', entityId: Number(id), after: { ocid, releaseId: r.releaseId, tag: r.tag } });
    n++;
  }
  return n;
}
