// Extra demo accounts a tender needs to be shown end to end: several bidding suppliers and a full
// evaluation committee of experts. Created like the city seed's demo accounts (is_demo, the demo
// password, refused in production) and recorded in the audit trail.
import type { Tx } from '../../db/tx';
import { toDbTime, type Clock } from '../../db/time';
import { hashPassword } from '../../http/auth/passwords';
import { record } from '../../supervision/audit/audit';
import { systemActor } from '../../http/actor';

export const DEMO_PASSWORD = 'Sunshine@2026';

// One (salted) hash of the demo password for the demo accounts made here: hashing is slow on purpose.
let demoHash: Promise<string> | null = null;
const demoPasswordHash = () => (demoHash ??= hashPassword(DEMO_PASSWORD));

async function ensureUser(tx: Tx, clock: Clock, hash: string, u: { username: string; displayName: string; role: 'supplier' | 'expert'; supplierId?: number }): Promise<number> {
  const existing = await tx('users').where({ username: u.username }).first('id');
  if (existing) return Number(existing.id);
  const [id] = await tx('users').insert({ username: u.username, display_name: u.displayName, password_hash: hash, org_id: null, supplier_id: u.supplierId ?? null, status: 'active', is_demo: true, locale: 'zh-CN', time_zone: 'Asia/Shanghai', created_at: toDbTime(clock.now()) });
  await tx('user_roles').insert({ user_id: Number(id), role: u.role });
  await record(tx, systemActor('seed', clock), { action: 'user.created', entityType: 'user', entityId: Number(id), after: { username: u.username, roles: [u.role] } });
  return Number(id);
}

/**
 * Supplier accounts: the demo `supplier` first, then other approved suppliers not barred, each
 * through its existing account if it has one, else a new `supplier<supplierId>` (the same
 * convention as the auction demo).
 */
export async function ensureSupplierUsers(tx: Tx, clock: Clock, n: number): Promise<Array<{ userId: number; supplierId: number; username: string }>> {
  const hash = await demoPasswordHash();
  const out: Array<{ userId: number; supplierId: number; username: string }> = [];
  const first = await tx('users').where({ username: 'supplier' }).first('id', 'supplier_id');
  if (first?.supplier_id) out.push({ userId: Number(first.id), supplierId: Number(first.supplier_id), username: 'supplier' });
  const taken = out.map((o) => o.supplierId);
  const now = toDbTime(clock.now());
  const barred = tx('supplier_blacklist').whereNull('lifted_at').where('ends_at', '>', now).select('supplier_id');
  const approved = await tx('suppliers').where({ status: 'approved' }).whereNotIn('id', taken.length ? taken : [0]).whereNotIn('id', barred).orderBy('id').limit(n).select('id', 'name');
  for (let i = 0; out.length < n && i < approved.length; i++) {
    const supplierId = Number(approved[i].id);
    const existing = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where({ 'u.supplier_id': supplierId, 'r.role': 'supplier', 'u.status': 'active' }).orderBy('u.id').first('u.id', 'u.username');
    if (existing) {
      out.push({ userId: Number(existing.id), supplierId, username: existing.username });
      continue;
    }
    const username = `supplier${supplierId}`;
    if (await tx('users').where({ username }).first('id')) continue;
    const userId = await ensureUser(tx, clock, hash, { username, displayName: `${approved[i].name.slice(0, 60)} 投标员`, role: 'supplier', supplierId });
    out.push({ userId, supplierId, username });
  }
  return out;
}

/** Expert accounts: the demo `expert` first, then `expert<expertId>` for active experts without an employer conflict. */
export async function ensureExpertUsers(tx: Tx, clock: Clock, n: number): Promise<Array<{ userId: number; expertId: number; username: string }>> {
  const hash = await demoPasswordHash();
  const out: Array<{ userId: number; expertId: number; username: string }> = [];
  const first = await tx('experts as e').join('users as u', 'u.id', 'e.user_id').where('u.username', 'expert').first('e.id', 'u.id as user_id');
  if (first) out.push({ userId: Number(first.user_id), expertId: Number(first.id), username: 'expert' });
  const free = await tx('experts').where({ status: 'active' }).whereNull('user_id').whereNull('employer_org_id').whereNull('employer_supplier_id').orderBy('id').limit(n + 5).select('id', 'name');
  for (let i = 0; out.length < n && i < free.length; i++) {
    const username = `expert${free[i].id}`;
    if (await tx('users').where({ username }).first('id')) continue;
    const userId = await ensureUser(tx, clock, hash, { username, displayName: free[i].name, role: 'expert' });
    await tx('experts').where({ id: free[i].id }).update({ user_id: userId });
    out.push({ userId, expertId: Number(free[i].id), username });
  }
  return out;
}

/** The login of one supplier (its existing supplier account, else a new `supplier<id>`), for a demo bid in its name. */
export async function ensureSupplierUser(tx: Tx, clock: Clock, supplierId: number): Promise<number> {
  const existing = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where({ 'u.supplier_id': supplierId, 'r.role': 'supplier', 'u.status': 'active' }).orderBy('u.id').first('u.id');
  if (existing) return Number(existing.id);
  const s = await tx('suppliers').where({ id: supplierId }).first('name');
  return ensureUser(tx, clock, await demoPasswordHash(), { username: `supplier${supplierId}`, displayName: `${String(s.name).slice(0, 60)} 投标员`, role: 'supplier', supplierId });
}

/** The login of one expert (its own account, else a new `expert<id>`), for a demo committee seat. */
export async function ensureExpertUser(tx: Tx, clock: Clock, expertId: number): Promise<number> {
  const e = await tx('experts').where({ id: expertId }).first('user_id', 'name');
  if (e.user_id) return Number(e.user_id);
  const userId = await ensureUser(tx, clock, await demoPasswordHash(), { username: `expert${expertId}`, displayName: e.name, role: 'expert' });
  await tx('experts').where({ id: expertId }).update({ user_id: userId });
  return userId;
}
