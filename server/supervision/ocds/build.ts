// A project's OCDS 1.1 releases, one per stage it has reached: planning (approved requisition),
// tender (the notice or competition), award, contract and implementation. Values in CNY (yuan
// from integer fen), parties with roles, items, documents from the public notices, milestones
// from the stage history, bids.details and tender.auctions from the execution wing.
import { isoFromDb } from '../../db/time';
import { EXTENSIONS } from './validate';
import type { ProjectBundle } from './repository';

/** Our OCID prefix ('ocds-' + six characters); every ocid is the prefix and the project ref. */
export const OCID_PREFIX = 'ocds-ygcg01';
export const ocidOf = (projectRef: string) => `${OCID_PREFIX}-${projectRef}`;
export const PUBLISHER = { name: '阳光市财政局 Sunshine City Finance Bureau', scheme: 'CN-USCC', uid: null as string | null, uri: null as string | null };

export type ReleaseTag = 'planning' | 'tender' | 'tenderUpdate' | 'award' | 'contract' | 'implementation';
export interface BuiltRelease {
  tag: ReleaseTag;
  releaseId: string;
  date: string;
  release: Record<string, any>;
}

const yuan = (fen: number | string | null | undefined) => (fen === null || fen === undefined ? null : { amount: Number(fen) / 100, currency: 'CNY' });

export const METHOD_DETAILS: Record<string, { method: 'open' | 'selective' | 'limited' | 'direct'; details: string }> = {
  public_tender: { method: 'open', details: 'Public tender (公开招标)' },
  online_price_competition: { method: 'open', details: 'Online price competition (网上竞价)' },
  // An order within a framework agreement: the supplier comes from the agreement's entry suppliers.
  framework_order: { method: 'selective', details: 'Framework agreement order (框架协议订单)' },
  inquiry: { method: 'limited', details: 'Request for quotations (询价)' },
  competitive_negotiation: { method: 'limited', details: 'Competitive negotiation (竞争性谈判)' },
  single_source: { method: 'direct', details: 'Single source (单一来源)' },
  invitational_tender: { method: 'selective', details: 'Invitational tender (邀请招标)' },
  competitive_consultation: { method: 'selective', details: 'Competitive consultation (竞争性磋商)' },
};

const CATEGORY_KIND: Record<string, 'goods' | 'services' | 'works'> = { goods: 'goods', services: 'services', works: 'works' };

const NOTICE_DOC: Record<string, string> = {
  intention: 'procurementPlan',
  tender: 'tenderNotice',
  competition: 'tenderNotice',
  amendment: 'tenderNotice',
  clarification: 'clarifications',
  single_source: 'tenderNotice',
  failure: 'tenderNotice',
  award: 'awardNotice',
  contract: 'contractNotice',
  other: 'tenderNotice',
};

export function buildReleases(b: ProjectBundle, opts: { baseUrl: string }): BuiltRelease[] {
  const p = b.project;
  const ocid = ocidOf(p.ref);
  const out: BuiltRelease[] = [];
  const orgParty = (o: any, roles: string[]) => ({ id: `CN-ORG-${o.code}`, name: o.name_zh, identifier: { scheme: 'CN-ORG', id: o.code, legalName: o.name_zh }, address: { region: o.region, countryName: 'China' }, roles });
  const supplierRef = (id: number) => {
    const s = b.suppliers.get(id);
    return { id: `CN-USCC-${s?.credit_code ?? id}`, name: s?.name ?? String(id) };
  };
  const supplierParty = (id: number, roles: string[]) => {
    const s = b.suppliers.get(id);
    return {
      ...supplierRef(id),
      identifier: { scheme: 'CN-USCC', id: s?.credit_code ?? String(id), legalName: s?.name },
      address: { streetAddress: s?.address, region: s?.region, countryName: 'China' },
      details: { scale: s?.size === 'micro' || s?.size === 'small' ? 'sme' : s?.size === 'medium' ? 'sme' : 'large' },
      roles,
    };
  };
  const buyerRef = { id: `CN-ORG-${b.buyer.code}`, name: b.buyer.name_zh };
  const centreRef = b.centre ? { id: `CN-ORG-${b.centre.code}`, name: b.centre.name_zh } : buyerRef;
  const items = b.items.map((i: any) => {
    const c = b.categories.get(i.category_code);
    return {
      id: String(i.line_no),
      description: `${i.name}${i.specification ? ` — ${i.specification}` : ''}`,
      classification: { scheme: 'CN-GPC', id: i.category_code, description: c ? `${c.name_zh} ${c.name_en}` : i.category_code },
      quantity: i.quantity,
      unit: { name: i.unit, value: yuan(i.unit_price_fen) },
    };
  });
  const docs = (kinds: string[]) =>
    b.notices
      .filter((n: any) => kinds.includes(n.kind))
      .flatMap((n: any) => [
        { id: `notice-${n.id}`, documentType: NOTICE_DOC[n.kind] ?? 'tenderNotice', title: n.title_zh, description: n.title_en, url: `${opts.baseUrl}/portal/notices/${n.id}`, datePublished: isoFromDb(n.published_at), format: 'text/html', language: 'zh' },
        ...(n.attachments_json ? JSON.parse(n.attachments_json) : []).map((a: any, k: number) => ({ id: `notice-${n.id}-att-${k + 1}`, documentType: NOTICE_DOC[n.kind] ?? 'tenderNotice', title: a.name, url: a.url.startsWith('http') ? a.url : `${opts.baseUrl}${a.url}`, datePublished: isoFromDb(n.published_at), ...(a.contentType ? { format: String(a.contentType).split(';')[0].trim() } : {}) })),
      ]);
  const milestones = b.stages.map((s: any) => ({
    id: `stage-${s.id}`,
    title: s.stage,
    type: s.stage === 'award_notice' || s.stage === 'evaluation' ? 'assessment' : s.stage === 'contract' || s.stage === 'acceptance' ? 'delivery' : s.stage === 'payment' ? 'financing' : 'engagement',
    status: s.exited_at ? 'met' : 'scheduled',
    ...(s.due_at ? { dueDate: isoFromDb(s.due_at) } : {}),
    ...(s.exited_at ? { dateMet: isoFromDb(s.exited_at) } : {}),
    dateModified: isoFromDb(s.exited_at ?? s.entered_at),
  }));
  const md = METHOD_DETAILS[p.method] ?? { method: 'limited', details: p.method };
  const comp = b.auction?.row;
  const base = (tag: ReleaseTag, date: string, parties: any[]) => ({
    ocid,
    id: `${ocid}-${tag}`,
    date,
    tag: [tag],
    initiationType: 'tender',
    language: 'zh',
    buyer: buyerRef,
    parties,
    // A framework order follows on from the agreement's first stage (its own contracting process).
    ...(b.framework ? { relatedProcesses: [{ id: 'framework', relationship: ['framework'], title: b.framework.title, scheme: 'ocid', identifier: ocidOf(b.framework.ref), uri: `${opts.baseUrl}/api/ocds/records/${ocidOf(b.framework.ref)}` }] } : {}),
  });
  const baseParties = [orgParty(b.buyer, ['buyer']), ...(b.centre ? [orgParty(b.centre, ['procuringEntity'])] : [])];

  // Planning: the approved requisition and its budget line.
  const planDate = isoFromDb(b.requisition.decided_at ?? p.created_at)!;
  const planning = {
    ...base('planning', planDate, baseParties),
    planning: {
      rationale: b.requisition.justification,
      budget: { id: `budget-line-${b.requisition.budget_line_id}`, description: b.requisition.title, amount: yuan(p.budget_fen), project: p.title, projectID: p.ref },
      milestones: [{ id: 'requisition-approved', title: 'Requisition approved (采购申请批准)', type: 'approval', status: 'met', dateMet: planDate }],
    },
    tender: { id: p.ref, title: p.title, status: 'planning', items, value: yuan(p.budget_fen), mainProcurementCategory: CATEGORY_KIND[b.requisition.category_kind] ?? 'goods', procurementMethod: md.method, procurementMethodDetails: md.details },
  };
  out.push({ tag: 'planning', releaseId: planning.id, date: planDate, release: planning });

  // Tender: the procedure is public (notice, competition announced or justification published).
  const tenderDate = isoFromDb(p.notice_at ?? comp?.announced_at ?? (p.method === 'online_price_competition' ? p.created_at : null));
  const awarded = p.award_fen !== null && p.award_fen !== undefined && p.awarded_supplier_id;
  const failed = p.stage === 'failed';
  const tenderStatus = failed ? 'unsuccessful' : awarded ? 'complete' : 'active';
  const tenderBlock = (status: string) => ({
    id: p.ref,
    title: p.title,
    description: b.requisition.justification,
    status,
    items,
    value: yuan(comp ? comp.ceiling_fen : p.budget_fen),
    procuringEntity: centreRef,
    mainProcurementCategory: CATEGORY_KIND[b.requisition.category_kind] ?? 'goods',
    procurementMethod: md.method,
    procurementMethodDetails: md.details,
    procurementMethodRationale: b.requisition.method_reason ?? undefined,
    awardCriteria: p.method === 'public_tender' ? 'ratedCriteria' : 'priceOnly',
    submissionMethod: ['electronicSubmission'],
    ...(p.deadline_at ? { tenderPeriod: { startDate: tenderDate, endDate: isoFromDb(p.deadline_at) } } : {}),
    ...(p.responses !== null && p.responses !== undefined ? { numberOfTenderers: p.responses } : {}),
    ...(comp
      ? {
          auctions: [
            {
              url: `${opts.baseUrl}/auctions/${comp.id}`,
              period: { startDate: isoFromDb(comp.opened_at ?? comp.starts_at), ...(comp.closed_at ? { endDate: isoFromDb(comp.closed_at) } : {}) },
              minimalStep: yuan(comp.decrement_kind === 'absolute' ? comp.decrement_value : Math.floor((Number(comp.ceiling_fen) * comp.decrement_value) / 10000)),
            },
          ],
        }
      : {}),
    documents: docs(['intention', 'tender', 'competition', 'amendment', 'clarification', 'single_source', 'failure', 'other']),
    milestones,
  });
  if (tenderDate) {
    const r = { ...base('tender', tenderDate, baseParties), tender: tenderBlock('active') };
    out.push({ tag: 'tender', releaseId: r.id, date: tenderDate, release: r });
  }

  // Bids, published with the result (never while the procedure runs).
  const bidDetails: any[] = [];
  if (b.auction) {
    for (const x of b.auction.bids) bidDetails.push({ id: `auction-${b.auction.row.id}-${x.supplier_id}`, status: 'valid', date: isoFromDb(x.accepted_at), value: yuan(x.amount_fen), tenderers: [supplierRef(x.supplier_id)] });
  }
  if (b.tender) {
    for (const x of b.tender.bids) {
      bidDetails.push({ id: `tender-bid-${x.id}`, status: x.status === 'decrypted' ? 'valid' : x.status === 'withdrawn' ? 'withdrawn' : 'disqualified', date: isoFromDb(x.submitted_at), ...(x.price_fen !== null ? { value: yuan(x.price_fen) } : {}), tenderers: [supplierRef(x.supplier_id)] });
    }
  }
  const bidderIds = new Set<number>([...(b.auction?.bids.map((x) => x.supplier_id) ?? []), ...(b.tender?.bids.map((x: any) => x.supplier_id) ?? [])]);

  if (failed) {
    const failedStage = b.stages.find((x: any) => x.stage === 'failed');
    const date = isoFromDb(failedStage?.entered_at ?? p.updated_at)!;
    const r = { ...base('tenderUpdate', date, [...baseParties, ...[...bidderIds].map((id) => supplierParty(id, ['tenderer']))]), tender: { ...tenderBlock('unsuccessful'), statusDetails: p.failure_reason ?? undefined }, ...(bidDetails.length ? { bids: { details: bidDetails } } : {}) };
    out.push({ tag: 'tenderUpdate', releaseId: r.id, date, release: r });
  }

  if (awarded && p.award_notice_at) {
    const date = isoFromDb(p.award_notice_at)!;
    const winner = p.awarded_supplier_id;
    bidderIds.add(winner);
    const parties = [...baseParties, ...[...bidderIds].map((id) => supplierParty(id, id === winner ? ['tenderer', 'supplier'] : ['tenderer']))];
    const winningBid = bidDetails.find((d) => d.tenderers[0].id === supplierRef(winner).id && d.status === 'valid');
    const award = {
      id: `${p.ref}-award`,
      title: p.title,
      status: 'active',
      date,
      value: yuan(p.award_fen),
      suppliers: [supplierRef(winner)],
      items,
      documents: docs(['award']),
      ...(winningBid ? { relatedBids: [winningBid.id] } : {}),
    };
    const r = { ...base('award', date, parties), tender: tenderBlock(tenderStatus), awards: [award], ...(bidDetails.length ? { bids: { details: bidDetails } } : {}) };
    out.push({ tag: 'award', releaseId: r.id, date, release: r });

    const c = b.contract;
    const signedAt = c && (c.status === 'signed' || c.status === 'accepted') ? [c.purchaser_signed_at, c.supplier_signed_at].filter(Boolean).sort().pop() : null;
    if (c && signedAt) {
      const cdate = isoFromDb(signedAt)!;
      const contract = {
        id: c.ref,
        awardID: award.id,
        title: p.title,
        status: 'active',
        value: yuan(c.amount_fen),
        dateSigned: cdate,
        items,
        documents: docs(['contract']),
        milestones: [
          { id: 'signed', title: 'Contract signed by both parties (双方签署)', type: 'engagement', status: 'met', dateMet: cdate },
          { id: 'acceptance', title: 'Delivery accepted (履约验收)', type: 'delivery', status: c.accepted_at ? 'met' : 'scheduled', ...(c.accepted_at ? { dateMet: isoFromDb(c.accepted_at) } : {}) },
        ],
        ...(winningBid ? { relatedBids: [winningBid.id] } : {}),
      };
      const rc = { ...base('contract', cdate, parties), awards: [award], contracts: [contract] };
      out.push({ tag: 'contract', releaseId: rc.id, date: cdate, release: rc });

      // Implementation: acceptance and payments.
      const paid = b.payments.filter((x: any) => x.status === 'paid');
      if (c.accepted_at || paid.length) {
        const idate = [isoFromDb(c.accepted_at), ...paid.map((x: any) => isoFromDb(x.paid_at))].filter((x): x is string => !!x).sort().pop()!;
        const ri = {
          // The buyer pays and the supplier is paid: the same parties with those roles added.
          ...base('implementation', idate, parties.map((x) => (x.id === buyerRef.id ? { ...x, roles: [...x.roles, 'payer'] } : x.id === supplierRef(c.supplier_id).id ? { ...x, roles: [...x.roles, 'payee'] } : x))),
          contracts: [
            {
              ...contract,
              status: paid.length && p.stage === 'closed' ? 'terminated' : 'active',
              implementation: {
                transactions: paid.map((x: any) => ({ id: x.ref, source: `${opts.baseUrl}/api/finance`, date: isoFromDb(x.paid_at), value: yuan(x.amount_fen), payer: buyerRef, payee: supplierRef(c.supplier_id) })),
                milestones: [{ id: 'acceptance', title: 'Delivery accepted (履约验收)', type: 'delivery', status: c.accepted_at ? 'met' : 'scheduled', ...(c.accepted_at ? { dateMet: isoFromDb(c.accepted_at) } : {}), description: c.acceptance_note ?? undefined }],
              },
            },
          ],
        };
        const id = `${ocid}-implementation-${paid.length}`;
        out.push({ tag: 'implementation', releaseId: id, date: idate, release: { ...ri, id } });
      }
    }
  }
  // Drop undefined fields (JSON has none; the schemas reject nothing for them, but snapshots stay clean).
  return out.map((r) => ({ ...r, release: JSON.parse(JSON.stringify(r.release)) }));
}

/** A release package around some releases, declaring the extensions they use. */
export function releasePackage(releases: object[], opts: { baseUrl: string; uri: string; publishedDate: string }) {
  return {
    uri: opts.uri,
    version: '1.1',
    extensions: [EXTENSIONS.bids, EXTENSIONS.auction],
    publishedDate: opts.publishedDate,
    publisher: { name: PUBLISHER.name, scheme: PUBLISHER.scheme },
    license: 'https://creativecommons.org/licenses/by/4.0/',
    publicationPolicy: `${opts.baseUrl}/portal`,
    releases,
  };
}
