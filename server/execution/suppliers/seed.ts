// Demo data for the supplier library, made through the library's own services: applications in
// every review state, a change request, credit records, an active and a lifted blacklist entry.
import type { ModuleContext } from '../../platform';
import { withTx } from '../../db/tx';
import { systemActor, type Actor } from '../../http/actor';
import { withCheckChar } from './credit-code';
import * as service from './service';

async function actorFor(ctx: ModuleContext, username: string, role: string): Promise<Actor> {
  const u = await ctx.db('users').where({ username }).first('id');
  return { ...systemActor('seed', ctx.clock), userId: u ? Number(u.id) : null, role };
}

const DAY = 86_400_000;

export async function seedSuppliers(ctx: ModuleContext): Promise<void> {
  const { db, clock } = ctx;
  if (await db('supplier_reviews').first('id')) return; // already seeded
  const portal = systemActor('portal', clock);
  const operator = await actorFor(ctx, 'operator', 'operator');
  const supervisor = await actorFor(ctx, 'supervisor', 'supervisor');
  const applicant = (n: number, name: string, cats: string[], brands: Array<[string, string, string]>) => ({
    qualifications: {
      name,
      creditCode: withCheckChar(`91330100MA2${String(7000 + n).padStart(4, '0')}X${n % 10}`.slice(0, 17)),
      legalRep: ['钱立新', '孙美华', '李国强', '周文斌', '吴晓燕'][n % 5],
      size: (['small', 'micro', 'medium', 'small', 'large'] as const)[n % 5],
      registeredCapitalWan: 500 + n * 100,
      categories: cats,
      brands: brands.map(([categoryCode, brand, model]) => ({ categoryCode, brand, model })),
    },
    details: {
      address: `阳光市高新区创业路${10 + n}号`,
      region: '330100',
      website: null,
      contacts: [{ name: ['郑敏', '冯涛', '陈静', '褚亮', '卫红'][n % 5], position: '销售经理', phone: `1380000${String(1000 + n)}`, email: `bid${n}@portal-demo.example.cn` }],
    },
    account: { username: `portal${n}`, password: `Portal${n}pass2026`, displayName: name },
  });
  const reg = (n: number, name: string, cats: string[], brands: Array<[string, string, string]>) => withTx(db, (tx) => service.register(tx, portal, applicant(n, name, cats, brands)));

  // New applications from the portal, in each review state.
  await reg(1, '阳光市启明办公设备有限公司', ['A02010104', 'A02021003'], [['A02010104', '联想', '启天M437'], ['A02021003', '惠普', 'LaserJet Pro 4104']]);
  const rejected = await reg(2, '阳光市速达贸易商行', ['A08060301'], [['A08060301', '得力', 'A4 70g']]);
  await withTx(db, (tx) => service.review(tx, operator, rejected.supplierId, 'reject', '营业执照经营范围不含办公用品销售，信用代码与执照不符'));
  const moreInfo = await reg(3, '阳光市恒信信息技术有限公司', ['C1601', 'C1605'], []);
  await withTx(db, (tx) => service.review(tx, operator, moreInfo.supplierId, 'request_more', '请补充近三年社保缴纳证明和软件企业资质'));
  const resubmitted = await reg(4, '阳光市绿洲物业服务有限公司', ['C2101', 'C1204'], []);
  await withTx(db, (tx) => service.review(tx, operator, resubmitted.supplierId, 'request_more', '请上传物业服务资质证书'));
  const q4 = applicant(4, '阳光市绿洲物业服务有限公司', ['C2101', 'C1204'], []).qualifications;
  await withTx(db, (tx) => service.submitQualifications(tx, { ...portal, role: 'supplier' }, resubmitted.supplierId, { ...q4, registeredCapitalWan: 1200 }));
  const approved = await reg(5, '阳光市万家家具制造有限公司', ['A05010100'], [['A05010100', '圣奥', 'SA-DK1600']]);
  await withTx(db, (tx) => service.review(tx, operator, approved.supplierId, 'approve', undefined));

  // An approved supplier asks to add a category: a change request waits for review.
  const q5 = applicant(5, '阳光市万家家具制造有限公司', ['A05010100'], [['A05010100', '圣奥', 'SA-DK1600']]).qualifications;
  await withTx(db, (tx) =>
    service.submitQualifications(tx, { ...portal, role: 'supplier' }, approved.supplierId, { ...q5, categories: ['A05010100', 'A02061800'], brands: [...q5.brands, { categoryCode: 'A02061800', brand: '格力', model: 'KFR-35GW' }] }),
  );

  // Credit records and the blacklist on long-standing suppliers from the city seed.
  const veterans = await db('suppliers').where({ status: 'approved' }).whereNot('id', approved.supplierId).orderBy('id').limit(6).select('id');
  const [a, b, c] = veterans.map((v: { id: number }) => Number(v.id)).slice(3);
  const today = clock.now();
  const dateOnly = (t: number) => new Date(t).toISOString().slice(0, 10);
  if (a) {
    await withTx(db, (tx) => service.addCreditRecord(tx, operator, a, { kind: 'false_documents', description: '投标文件中提供虚假的业绩合同', source: '阳光市财政局 阳财采处〔2026〕12号', occurredOn: dateOnly(today.getTime() - 60 * DAY) }));
    await withTx(db, (tx) =>
      service.addBlacklist(tx, supervisor, a, { reason: '提供虚假材料谋取中标（政府采购法第七十七条）', source: '阳光市财政局 阳财采处〔2026〕12号', startsAt: new Date(today.getTime() - 30 * DAY).toISOString(), endsAt: new Date(today.getTime() + 335 * DAY).toISOString() }),
    );
  }
  if (b) {
    await withTx(db, (tx) => service.addCreditRecord(tx, operator, b, { kind: 'late_delivery', description: '合同约定30日内交货，实际延迟12日', source: '市教育局履约验收报告 JY-2026-031', occurredOn: dateOnly(today.getTime() - 120 * DAY) }));
    await withTx(db, (tx) => service.addCreditRecord(tx, operator, b, { kind: 'quality', description: '部分复印机到货后无法正常使用，已更换', source: '市第一中学验收记录', occurredOn: dateOnly(today.getTime() - 20 * DAY) }));
  }
  if (c) {
    const e = await withTx(db, (tx) =>
      service.addBlacklist(tx, supervisor, c, { reason: '无正当理由拒不签订政府采购合同', source: '阳光市财政局 阳财采处〔2025〕47号', startsAt: new Date(today.getTime() - 200 * DAY).toISOString(), endsAt: new Date(today.getTime() + 165 * DAY).toISOString() }),
    );
    await withTx(db, (tx) => service.liftBlacklist(tx, supervisor, c, e.id, '行政复议决定撤销原处罚决定（阳政复〔2026〕8号）'));
  }
}
