// Demo competitions in every state, created through the competition service itself. Past
// history is made by running a second service instance on a clock set back in time, so each
// competition is created, joined, opened, bid on and closed exactly as live ones are.
import type { ModuleContext } from '../../platform';
import type { SessionUser } from '../../http/auth/sessions';
import type { Actor } from '../../http/actor';
import type { Client } from '../../realtime/hub';
import { ManualClock, toDbTime } from '../../db/time';
import { hashPassword } from '../../http/auth/passwords';
import { withTx } from '../../db/tx';
import { record } from '../../supervision/audit/audit';
import { systemActor } from '../../http/actor';
import { AuctionService, type CreateAuctionInput } from './service';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const DEMO_PASSWORD = 'Sunshine@2026';

export interface Bidder {
  supplierId: number;
  user: SessionUser;
  brand: string;
  model: string;
  ip: string;
}

export async function seedAuctions(ctx: ModuleContext, _live: AuctionService): Promise<void> {
  const { db } = ctx;
  const realNow = ctx.clock.now().getTime();
  const clock = new ManualClock(realNow);
  const service = new AuctionService({ ...ctx, clock });
  try {
    const operator = await sessionUser(ctx, 'operator');
    if (!operator) return; // no demo accounts, no demo competitions
    const unit = await db('organisations').where({ code: 'PU01' }).first('id');
    const opActor = (): Actor => ({ userId: operator.id, role: 'operator', requestId: null, ip: null, clock });
    const demoSupplier = await sessionUser(ctx, 'supplier');
    const create = (over: Partial<CreateAuctionInput> & Pick<CreateAuctionInput, 'title' | 'categoryCode' | 'startsAt'>) =>
      service.create(opActor(), operator, {
        lotDescription: over.title,
        quantity: 20,
        unit: '台',
        ceilingFen: 12_000_000,
        decrementKind: 'absolute',
        decrementValue: 20_000,
        durationSec: 3600,
        extensionSec: 120,
        maxExtensionSec: 1800,
        visibility: 'best_price',
        minSuppliers: 3,
        minBrands: 3,
        orgId: unit?.id ?? null,
        ...over,
      });
    const join = async (id: number, bs: Bidder[]) => {
      for (const b of bs) await service.join({ userId: b.user.id, role: 'supplier', requestId: null, ip: b.ip, clock }, b.user, id, { brand: b.brand, model: b.model, deviceId: `demo-device-${b.supplierId}` });
    };
    const bid = async (id: number, b: Bidder, amount: number, n: number) => {
      const client = { user: b.user, ip: b.ip } as Client;
      const answer = await service.bid(client, { type: 'bid', auctionId: id, amount, clientBidId: `demo-${id}-${n}` });
      if (answer.type !== 'bid.accepted') throw new Error(`demo bid refused: ${answer.code}`);
    };
    const at = (t: number) => clock.set(t);

    const pick = await biddersFor(ctx, demoSupplier);
    const cats = [...pick.keys()];
    if (!cats.length) return;
    const cat = (i: number) => cats[i % cats.length];
    const names = await categoryNames(ctx);

    // 1. Finished with a result (three days ago), ladder mode.
    at(realNow - 3 * DAY);
    const c1 = cat(1);
    let a = await create({ title: `${names.get(c1)}网上竞价（第一批）`, categoryCode: c1, startsAt: new Date(realNow - 3 * DAY + 2 * 3600_000).toISOString(), visibility: 'ladder', durationSec: 1800, quantity: 40, ceilingFen: 18_000_000 });
    let bs = pick.get(c1)!.slice(0, 4);
    await join(a.id, bs);
    at(a.startsAt.getTime());
    await service.openOrFail(a.id);
    let price = 18_000_000;
    for (let n = 0; n < 11; n++) {
      at(a.startsAt.getTime() + (n + 1) * 2 * MIN);
      price -= 40_000 + (n % 3) * 20_000;
      await bid(a.id, bs[n % bs.length], price, n);
    }
    at(a.startsAt.getTime() + 1800_000 + 1);
    await service.close(a.id);

    // 2. Failed: not enough competition (two days ago; only two suppliers joined).
    at(realNow - 2 * DAY);
    const c2 = cat(2);
    a = await create({ title: `${names.get(c2)}网上竞价`, categoryCode: c2, startsAt: new Date(realNow - 2 * DAY + 3600_000).toISOString(), visibility: 'rank_only' });
    await join(a.id, pick.get(c2)!.slice(0, 2));
    at(a.startsAt.getTime());
    await service.openOrFail(a.id);

    // 3. Running now, with bids (opened 20 minutes ago, two hours long).
    const c0 = cat(0);
    at(realNow - 30 * MIN);
    a = await create({ title: `${names.get(c0)}网上竞价（第二批）`, categoryCode: c0, startsAt: new Date(realNow - 20 * MIN).toISOString(), durationSec: 7200, quantity: 50, ceilingFen: 25_000_000, decrementValue: 50_000 });
    bs = pick.get(c0)!.slice(0, 4);
    await join(a.id, bs);
    at(a.startsAt.getTime());
    await service.openOrFail(a.id);
    price = 25_000_000;
    for (let n = 0; n < 7; n++) {
      at(a.startsAt.getTime() + (n + 1) * 2 * MIN);
      price -= 60_000 + (n % 2) * 50_000;
      await bid(a.id, bs[(n + 1) % bs.length], price, n);
    }

    // 4. Suspended by the operator after some bidding, with the reason recorded.
    const c3 = cat(3);
    at(realNow - 40 * MIN);
    a = await create({ title: `${names.get(c3)}网上竞价`, categoryCode: c3, startsAt: new Date(realNow - 30 * MIN).toISOString(), durationSec: 5400, ceilingFen: 8_000_000, decrementKind: 'percent', decrementValue: 50 });
    bs = pick.get(c3)!.slice(0, 3);
    await join(a.id, bs);
    at(a.startsAt.getTime());
    await service.openOrFail(a.id);
    price = 8_000_000;
    for (let n = 0; n < 4; n++) {
      at(a.startsAt.getTime() + (n + 1) * 3 * MIN);
      price = Math.floor(price * 0.99);
      await bid(a.id, bs[n % bs.length], price, n);
    }
    at(realNow - 5 * MIN);
    await service.suspend(opActor(), a.id, '供应商反映竞价页面无法刷新，暂停核查网络故障');

    // 5. Announced, starting tomorrow, suppliers already joining (the demo supplier may still join).
    at(realNow);
    a = await create({ title: `${names.get(c0)}网上竞价（第三批）`, categoryCode: c0, startsAt: new Date(realNow + DAY).toISOString(), quantity: 30, ceilingFen: 15_000_000, visibility: 'rank_only' });
    await join(a.id, pick.get(c0)!.filter((b) => b.supplierId !== demoSupplier?.supplierId).slice(0, 2));

    // 6. A draft the operator has not announced yet.
    await create({ title: `${names.get(c1)}网上竞价（第二批）`, categoryCode: c1, startsAt: new Date(realNow + 3 * DAY).toISOString(), announce: false });

    // 7. Competitions for the workflow's approved projects waiting in their competition stage:
    //    announced from the project (its unit, category and budget as the ceiling); the result
    //    will flow back to the project as its award.
    const waiting = await db('procurement_projects as p')
      .join('requisitions as r', 'r.id', 'p.requisition_id')
      .leftJoin('auctions as a', 'a.project_id', 'p.id')
      .where({ 'p.method': 'online_price_competition', 'p.stage': 'competition' })
      .whereNull('a.id')
      .select('p.id', 'p.title', 'p.budget_fen', 'r.category_code');
    for (const p of waiting) {
      at(realNow);
      a = await create({ title: `${p.title}（网上竞价）`, categoryCode: p.category_code, projectId: p.id, orgId: null, ceilingFen: Number(p.budget_fen), decrementValue: Math.max(100, Math.floor(Number(p.budget_fen) / 500)), startsAt: new Date(realNow + 2 * DAY).toISOString() });
      const joiners = (pick.get(p.category_code) ?? []).filter((b) => b.supplierId !== demoSupplier?.supplierId).slice(0, 2);
      await join(a.id, joiners);
    }
  } finally {
    await service.stop();
  }
}

export async function sessionUser(ctx: ModuleContext, username: string): Promise<SessionUser | null> {
  const u = await ctx.db('users').where({ username }).first();
  if (!u) return null;
  const roles = (await ctx.db('user_roles').where({ user_id: u.id })).map((r: any) => r.role);
  return { id: u.id, username: u.username, displayName: u.display_name, roles, orgId: u.org_id, supplierId: u.supplier_id, locale: u.locale, timeZone: u.time_zone, sessionId: 'seed', csrfToken: '' };
}

async function categoryNames(ctx: ModuleContext): Promise<Map<string, string>> {
  return new Map((await ctx.db('catalogue_categories').select('code', 'name_zh')).map((r: any) => [r.code, r.name_zh]));
}

/**
 * Framework-agreement categories with at least three approved suppliers of distinct brands,
 * the demo supplier's categories first; each supplier gets a supplier-role login (demo password).
 */
export async function biddersFor(ctx: ModuleContext, demo: SessionUser | null): Promise<Map<string, Bidder[]>> {
  const { db } = ctx;
  const rows = await db('supplier_brands as b')
    .join('suppliers as s', 's.id', 'b.supplier_id')
    .join('catalogue_categories as c', 'c.code', 'b.category_code')
    .join('supplier_categories as sc', function () {
      this.on('sc.supplier_id', '=', 'b.supplier_id').andOn('sc.category_code', '=', 'b.category_code');
    })
    .where('s.status', 'approved')
    .where('c.framework_agreement', true)
    .orderBy('b.category_code')
    .orderBy('s.id')
    .select('b.category_code', 'b.brand', 'b.model', 's.id as supplier_id');
  const byCat = new Map<string, Array<{ supplierId: number; brand: string; model: string }>>();
  for (const r of rows) {
    const list = byCat.get(r.category_code) ?? byCat.set(r.category_code, []).get(r.category_code)!;
    if (list.some((x) => x.supplierId === Number(r.supplier_id) || x.brand === r.brand)) continue; // one brand each
    list.push({ supplierId: Number(r.supplier_id), brand: r.brand, model: r.model });
  }
  const usable = [...byCat.entries()].filter(([, l]) => l.length >= 4 || (l.length >= 3 && byCat.size < 4));
  usable.sort(([ca, a], [cb, b]) => Number(b.some((x) => x.supplierId === demo?.supplierId)) - Number(a.some((x) => x.supplierId === demo?.supplierId)) || ca.localeCompare(cb));
  const users = new Map<number, SessionUser>();
  if (demo?.supplierId) users.set(demo.supplierId, demo);
  let hash: string | null = null;
  const out = new Map<string, Bidder[]>();
  let ipTurn = 0;
  for (const [cat, list] of usable) {
    const bidders: Bidder[] = [];
    // The demo supplier bids first in its categories so its room is populated.
    list.sort((a, b) => Number(b.supplierId === demo?.supplierId) - Number(a.supplierId === demo?.supplierId));
    for (const x of list) {
      let user = users.get(x.supplierId);
      if (!user) {
        const existing = await db('users').where({ supplier_id: x.supplierId }).first('username');
        if (!existing) {
          hash ??= await hashPassword(DEMO_PASSWORD);
          const username = `supplier${x.supplierId}`;
          const now = toDbTime(ctx.clock.now());
          const s = await db('suppliers').where({ id: x.supplierId }).first('contact_name', 'name');
          await withTx(db, async (tx) => {
            const [uid] = await tx('users').insert({ username, display_name: `${s.contact_name}（${s.name}）`, password_hash: hash, supplier_id: x.supplierId, status: 'active', is_demo: true, locale: 'zh-CN', time_zone: 'Asia/Shanghai', created_at: now });
            await tx('user_roles').insert({ user_id: Number(uid), role: 'supplier' });
            await record(tx, systemActor('seed', ctx.clock), { action: 'user.created', entityType: 'user', entityId: Number(uid), after: { username, roles: ['supplier'], supplierId: x.supplierId } });
          });
        }
        user = (await sessionUser(ctx, existing?.username ?? `supplier${x.supplierId}`))!;
        users.set(x.supplierId, user);
      }
      // Two bidders share an address now and then: material for the supervisors' red flags.
      bidders.push({ ...x, user, ip: `10.20.${1 + (ipTurn % 5)}.${10 + (ipTurn++ % 7)}` });
    }
    out.set(cat, bidders);
  }
  return out;
}
