// Demo data for a realistic city, generated deterministically and written through the audit
// module like every other state change. Runs on first start of an empty database and via `npm run seed`.
import type { Db } from '../../server/db/knex';
import { withTx, type Tx } from '../../server/db/tx';
import { toDbTime, type Clock } from '../../server/db/time';
import { recordMany, type AuditInput } from '../../server/supervision/audit/audit';
import { systemActor } from '../../server/http/actor';
import { hashPassword } from '../../server/http/auth/passwords';
import { withCheckChar, CREDIT_CODE_ALPHABET } from '../../server/execution/suppliers/credit-code';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo-accounts';
import * as city from './city';

/** Small deterministic PRNG (mulberry32) so every fresh install shows the same city. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    sample: <T>(xs: readonly T[], n: number): T[] => {
      const copy = [...xs];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy.slice(0, n);
    },
  };
}

export interface SeedSummary {
  organisations: number;
  categories: number;
  suppliers: number;
  experts: number;
  budgetLines: number;
  users: number;
}

export async function isEmpty(db: Db): Promise<boolean> {
  const row = await db('organisations').count({ n: '*' }).first();
  return Number(row?.n ?? 0) === 0;
}

export async function seedDemo(db: Db, clock: Clock, opts: { experts?: number; suppliers?: number } = {}): Promise<SeedSummary> {
  const rnd = prng(20261125);
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const now = toDbTime(clock.now());
  const fiscalYear = clock.now().getUTCFullYear();
  const actor = systemActor('seed', clock);

  return withTx(db, async (tx: Tx) => {
    const audit: AuditInput[] = [];
    const orgIds = new Map<string, number>();
    const orgNames = new Map<number, string>();
    const supplierNames = new Map<number, string>();

    // Organisations
    for (const [code, zh, en, kind] of city.CENTRAL_ORGS) {
      const [id] = await tx('organisations').insert({ code, name_zh: city.orgNameZh(zh), name_en: city.orgNameEn(en), kind, region: city.CITY.region, created_at: now });
      orgIds.set(code, Number(id));
      audit.push({ action: 'organisation.created', entityType: 'organisation', entityId: Number(id), after: { code, kind } });
    }
    for (const [code, zh, en, department] of city.PURCHASING_UNITS) {
      const [id] = await tx('organisations').insert({
        code,
        name_zh: city.orgNameZh(zh),
        name_en: city.orgNameEn(en),
        kind: 'purchasing_unit',
        department,
        region: city.CITY.region,
        created_at: now,
      });
      orgIds.set(code, Number(id));
      orgNames.set(Number(id), city.orgNameZh(zh));
      audit.push({ action: 'organisation.created', entityType: 'organisation', entityId: Number(id), after: { code, kind: 'purchasing_unit' } });
    }

    // Catalogue
    await tx('catalogue_categories').insert(
      city.CATALOGUE.map(([code, parent, kind, zh, en, fa]) => ({ code, parent_code: parent, kind, name_zh: zh, name_en: en, framework_agreement: fa })),
    );
    audit.push({ action: 'catalogue.loaded', entityType: 'catalogue', entityId: 'all', after: { categories: city.CATALOGUE.length } });

    // Suppliers: every framework category gets enough suppliers and brands for a competition.
    const supplierCount = opts.suppliers ?? 64;
    const supplierIds: number[] = [];
    const brandTurn = new Map<string, number>();
    for (let i = 0; i < supplierCount; i++) {
      const [trade, cats] = city.SUPPLIER_TRADES[i % city.SUPPLIER_TRADES.length];
      const word = city.SUPPLIER_WORDS[i % city.SUPPLIER_WORDS.length] + (i >= city.SUPPLIER_WORDS.length ? city.SUPPLIER_WORDS[(i * 7 + 3) % city.SUPPLIER_WORDS.length] : '');
      const body = '91' + city.CITY.region + Array.from({ length: 9 }, () => CREDIT_CODE_ALPHABET[rnd.int(0, 30)]).join('');
      const name = `${city.CITY.nameZh}${word}${trade}`;
      const size = rnd.pick(['micro', 'small', 'small', 'medium', 'medium', 'large'] as const);
      const [id] = await tx('suppliers').insert({
        name,
        credit_code: withCheckChar(body),
        legal_rep: rnd.pick(city.SURNAMES) + rnd.pick(city.GIVEN) + rnd.pick(city.GIVEN),
        address: `${city.CITY.nameZh}${rnd.pick(['东城区', '西湖区', '高新区', '滨江区', '经开区'])}${rnd.int(1, 399)}号`,
        region: city.CITY.region,
        size,
        contact_name: rnd.pick(city.SURNAMES) + rnd.pick(city.GIVEN),
        contact_phone: `13${rnd.int(0, 9)}${String(rnd.int(0, 99999999)).padStart(8, '0')}`,
        contact_email: `sales${i + 1}@supplier${i + 1}.example.cn`,
        // A few applications wait for review so the operator's queue is not empty.
        status: i < supplierCount - 4 ? 'approved' : i === supplierCount - 1 ? 'more_info' : 'pending',
        created_at: now,
        updated_at: now,
      });
      const sid = Number(id);
      supplierIds.push(sid);
      supplierNames.set(sid, name);
      // Rotate through the trade's categories so every category gets several suppliers. The demo
      // `supplier` (the first) is a full-line IT firm: it bids for, and wins, computers, servers,
      // switches and IT services in the demo stories, so it is registered for all of them.
      const k = Math.floor(i / city.SUPPLIER_TRADES.length);
      const myCats = i === 0 ? cats : Array.from({ length: Math.min(cats.length, 3 + (k % 2)) }, (_, j) => cats[(k * 3 + j) % cats.length]);
      await tx('supplier_categories').insert(myCats.map((c) => ({ supplier_id: sid, category_code: c })));
      const brandRows = myCats.flatMap((c) => {
        const brands = city.BRANDS[c];
        if (!brands) return [];
        // Rotate brands per category so each category has several distinct brands.
        const n = brandTurn.get(c) ?? 0;
        brandTurn.set(c, n + 1);
        const [brand, models] = brands[n % brands.length];
        return [{ supplier_id: sid, category_code: c, brand, model: models[n % models.length] }];
      });
      if (brandRows.length) await tx('supplier_brands').insert(brandRows);
      audit.push({ action: 'supplier.registered', entityType: 'supplier', entityId: sid, after: { name, categories: myCats } });
    }

    // Experts by field (city.EXPERT_FIELDS): each evaluates the catalogue categories of its field
    // and has a title and an employer that fit it. Some are employed by a unit or a supplier (the
    // draw must exclude them from those parties' projects). The demo `expert` (the second) is a
    // works engineer (it also judges property management and cleaning, below): the experts' seed
    // puts it on the works generalists' panel (specialty B).
    const expertCount = opts.experts ?? 320;
    const unitCodes = city.PURCHASING_UNITS.map(([c]) => c);
    const fieldTurns = city.EXPERT_FIELDS.flatMap((f) => Array.from({ length: f.weight }, () => f));
    const worksField = city.EXPERT_FIELDS.find((f) => f.field === 'works')!;
    const expertIds: number[] = [];
    const expertRows = [];
    const expertFields: Array<(typeof city.EXPERT_FIELDS)[number]> = [];
    for (let i = 0; i < expertCount; i++) {
      const field = i === 1 ? worksField : fieldTurns[(i * 37) % fieldTurns.length];
      expertFields.push(field);
      const employedByUnit = i % 23 === 0 ? orgIds.get(rnd.pick(unitCodes))! : null;
      const employedBySupplier = !employedByUnit && i % 29 === 0 ? rnd.pick(supplierIds) : null;
      expertRows.push({
        name: rnd.pick(city.SURNAMES) + rnd.pick(city.GIVEN) + (rnd.next() < 0.6 ? rnd.pick(city.GIVEN) : ''),
        employer_name: employedByUnit ? orgNames.get(employedByUnit)! : employedBySupplier ? supplierNames.get(employedBySupplier)! : rnd.pick(field.employers),
        employer_org_id: employedByUnit,
        employer_supplier_id: employedBySupplier,
        region: city.CITY.region,
        title: rnd.pick(field.titles),
        phone: `139${String(rnd.int(0, 99999999)).padStart(8, '0')}`,
        email: `expert${i + 1}@experts.example.cn`,
        status: i % 97 === 5 ? 'suspended' : 'active',
        max_evaluations_per_quarter: 12,
        rating_milli: rnd.int(3500, 5000),
        created_at: now,
      });
    }
    for (const row of expertRows) {
      const [id] = await tx('experts').insert(row);
      expertIds.push(Number(id));
    }
    // A specialist covers most of a narrow field (legal, medical equipment, facilities) and two to
    // four categories of a wide one (IT, works).
    const specRows = expertIds.flatMap((id, i) => rnd.sample(expertFields[i].specialties, Math.min(expertFields[i].specialties.length, 2 + (i % 3))).map((c) => ({ expert_id: id, category_code: c })));
    // The demo expert also judges building upkeep services (property management, cleaning), so
    // it sits on a services committee that scores technical and business criteria, not only on
    // works tenders decided on the lowest price.
    for (const c of ['C2101', 'C1204']) if (!specRows.some((r) => r.expert_id === expertIds[1] && r.category_code === c)) specRows.push({ expert_id: expertIds[1], category_code: c });
    for (let i = 0; i < specRows.length; i += 300) await tx('expert_specialties').insert(specRows.slice(i, i + 300));
    for (const id of expertIds) audit.push({ action: 'expert.enrolled', entityType: 'expert', entityId: id });

    // Budget lines: each unit gets its year's lines from the finance bureau.
    const LINES: Array<[string, string, number, number]> = [
      ['31002', '办公设备购置', 80, 600],
      ['31007', '信息网络及软件购置更新', 100, 2500],
      ['30209', '物业管理费', 50, 400],
      ['30213', '维修（护）费', 30, 300],
      ['31003', '专用设备购置', 100, 3000],
    ];
    let budgetLines = 0;
    for (const [code] of city.PURCHASING_UNITS) {
      const orgId = orgIds.get(code)!;
      for (const [econ, name, lo, hi] of rnd.sample(LINES, rnd.int(3, 5))) {
        const allocated = rnd.int(lo, hi) * 10_000 * 100; // 10k-yuan steps, in fen
        const [id] = await tx('budget_lines').insert({
          code: `${fiscalYear}-${code}-${econ}`,
          org_id: orgId,
          fiscal_year: fiscalYear,
          name,
          economic_class: econ,
          allocated_fen: allocated,
          frozen_fen: 0,
          spent_fen: 0,
          updated_at: now,
        });
        budgetLines++;
        audit.push({ action: 'budget.allocated', entityType: 'budget_line', entityId: Number(id), after: { allocatedFen: allocated } });
      }
    }

    // Demo users, one per role.
    for (const acct of DEMO_ACCOUNTS) {
      // Account names carry the unit's (or the supplier's) one spelling of its name.
      const of = acct.role === 'supplier' ? supplierNames.get(supplierIds[0])! : acct.orgCode ? city.orgName(acct.orgCode).zh : null;
      const [id] = await tx('users').insert({
        username: acct.username,
        display_name: of ? `${acct.displayName}（${of}）` : acct.displayName,
        password_hash: passwordHash,
        org_id: acct.orgCode ? orgIds.get(acct.orgCode)! : null,
        supplier_id: acct.role === 'supplier' ? supplierIds[0] : null,
        status: 'active',
        is_demo: true,
        locale: 'zh-CN',
        time_zone: 'Asia/Shanghai',
        created_at: now,
      });
      await tx('user_roles').insert({ user_id: Number(id), role: acct.role });
      if (acct.role === 'expert') await tx('experts').where({ id: expertIds[1] }).update({ user_id: Number(id), name: '刘专家' });
      audit.push({ action: 'user.created', entityType: 'user', entityId: Number(id), after: { username: acct.username, roles: [acct.role] } });
    }

    await recordMany(tx, actor, audit);
    return {
      organisations: orgIds.size,
      categories: city.CATALOGUE.length,
      suppliers: supplierIds.length,
      experts: expertIds.length,
      budgetLines,
      users: DEMO_ACCOUNTS.length,
    };
  });
}
