// Supplier rows and their API shapes.
import type { Knex } from 'knex';
import { isoFromDb, toDbTime } from '../../db/time';

export const supplierFromRow = (r: any) => ({
  id: r.id,
  name: r.name,
  creditCode: r.credit_code,
  legalRep: r.legal_rep,
  region: r.region,
  size: r.size,
  status: r.status,
  contactName: r.contact_name,
  contactPhone: r.contact_phone,
  contactEmail: r.contact_email,
  createdAt: isoFromDb(r.created_at),
});

export interface Qualifications {
  name: string;
  creditCode: string;
  legalRep: string;
  size: 'micro' | 'small' | 'medium' | 'large';
  registeredCapitalWan?: number | null;
  categories: string[];
  brands: Array<{ categoryCode: string; brand: string; model: string }>;
}

export interface ContactDetails {
  address: string;
  region: string;
  website?: string | null;
  contacts: Array<{ name: string; position: string; phone: string; email: string }>;
}

export async function qualificationsOf(db: Knex, supplierId: number): Promise<Qualifications> {
  const s = await db('suppliers').where({ id: supplierId }).first();
  const categories = (await db('supplier_categories').where({ supplier_id: supplierId }).orderBy('category_code')).map((c: any) => c.category_code);
  const brands = (await db('supplier_brands').where({ supplier_id: supplierId }).orderBy('id')).map((b: any) => ({ categoryCode: b.category_code, brand: b.brand, model: b.model }));
  return { name: s.name, creditCode: s.credit_code, legalRep: s.legal_rep, size: s.size, registeredCapitalWan: s.registered_capital_wan ?? null, categories, brands };
}

export async function writeQualifications(db: Knex, supplierId: number, q: Qualifications, now: Date): Promise<void> {
  await db('suppliers').where({ id: supplierId }).update({ name: q.name, credit_code: q.creditCode, legal_rep: q.legalRep, size: q.size, registered_capital_wan: q.registeredCapitalWan ?? null, updated_at: toDbTime(now) });
  await db('supplier_categories').where({ supplier_id: supplierId }).delete();
  await db('supplier_categories').insert(q.categories.map((c) => ({ supplier_id: supplierId, category_code: c })));
  await db('supplier_brands').where({ supplier_id: supplierId }).delete();
  if (q.brands.length) await db('supplier_brands').insert(q.brands.map((b) => ({ supplier_id: supplierId, category_code: b.categoryCode, brand: b.brand, model: b.model })));
}

export async function writeContactDetails(db: Knex, supplierId: number, d: ContactDetails, now: Date): Promise<void> {
  const main = d.contacts[0];
  await db('suppliers').where({ id: supplierId }).update({ address: d.address, region: d.region, website: d.website ?? null, contact_name: main.name, contact_phone: main.phone, contact_email: main.email, updated_at: toDbTime(now) });
  await db('supplier_contacts').where({ supplier_id: supplierId }).delete();
  await db('supplier_contacts').insert(d.contacts.map((c) => ({ supplier_id: supplierId, ...c })));
}

export async function supplierDetail(db: Knex, supplierId: number, at: Date) {
  const row = await db('suppliers').where({ id: supplierId }).first();
  if (!row) return null;
  const q = await qualificationsOf(db, supplierId);
  const contacts = (await db('supplier_contacts').where({ supplier_id: supplierId }).orderBy('id')).map((c: any) => ({ name: c.name, position: c.position, phone: c.phone, email: c.email }));
  const reviews = (await db('supplier_reviews').where({ supplier_id: supplierId }).orderBy('id')).map((r: any) => ({ id: r.id, decision: r.decision, reason: r.reason, changeRequestId: r.change_request_id, decidedAt: isoFromDb(r.decided_at) }));
  const credit = (await db('supplier_credit_records').where({ supplier_id: supplierId }).orderBy('occurred_on', 'desc').orderBy('id', 'desc')).map((c: any) => ({
    id: c.id,
    kind: c.kind,
    description: c.description,
    source: c.source,
    occurredOn: typeof c.occurred_on === 'string' ? c.occurred_on.slice(0, 10) : new Date(c.occurred_on).toISOString().slice(0, 10),
    createdAt: isoFromDb(c.created_at),
  }));
  const t = toDbTime(at);
  const blacklist = (await db('supplier_blacklist').where({ supplier_id: supplierId }).orderBy('starts_at', 'desc')).map((b: any) => ({
    id: b.id,
    reason: b.reason,
    source: b.source,
    startsAt: isoFromDb(b.starts_at),
    endsAt: isoFromDb(b.ends_at),
    liftedAt: isoFromDb(b.lifted_at),
    liftReason: b.lift_reason ?? null,
    active: !b.lifted_at && b.starts_at <= t && b.ends_at > t,
  }));
  const change = await db('supplier_change_requests').where({ supplier_id: supplierId, status: 'pending' }).orderBy('id', 'desc').first();
  return {
    ...supplierFromRow(row),
    address: row.address,
    website: row.website ?? null,
    registeredCapitalWan: row.registered_capital_wan ?? null,
    reviewReason: row.review_reason ?? null,
    categories: q.categories,
    brands: q.brands,
    contacts,
    reviews,
    creditRecords: credit,
    blacklist,
    blacklisted: blacklist.some((b) => b.active),
    pendingChange: change ? { id: change.id, changes: JSON.parse(change.changes_json) as Qualifications, submittedAt: isoFromDb(change.submitted_at) } : null,
  };
}
