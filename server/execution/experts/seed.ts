// Demo data for the expert library through its services: experts on leave (now and during the
// demo evaluations), declared conflicts, a suspended and a disqualified expert, a newly enrolled one.
import type { ModuleContext } from '../../platform';
import { withTx } from '../../db/tx';
import { systemActor, type Actor } from '../../http/actor';
import * as service from './service';

const DAY = 86_400_000;

export async function seedExperts(ctx: ModuleContext): Promise<void> {
  const { db, clock } = ctx;
  if (await db('expert_leaves').first('id')) return;
  const op = await db('users').where({ username: 'operator' }).first('id');
  const operator: Actor = { ...systemActor('seed', clock), userId: op ? Number(op.id) : null, role: 'operator' };
  const now = clock.now().getTime();
  const demoUser = await db('users').where({ username: 'expert' }).first('id');
  const demoExpert = demoUser ? await db('experts').where({ user_id: demoUser.id }).first('id') : null;
  const others = (await db('experts').where({ status: 'active' }).whereNull('user_id').orderBy('id').limit(40).select('id')).map((r: { id: number }) => Number(r.id));
  if (others.length < 12) return;
  // Leave: one now, two over the next fortnight (the demo draws' evaluation days), one cancelled.
  await withTx(db, (tx) => service.addLeave(tx, operator, others[0], { startsAt: new Date(now - 2 * DAY).toISOString(), endsAt: new Date(now + 12 * DAY).toISOString(), reason: '出国学术交流' }));
  await withTx(db, (tx) => service.addLeave(tx, operator, others[1], { startsAt: new Date(now + 1 * DAY).toISOString(), endsAt: new Date(now + 20 * DAY).toISOString(), reason: '住院手术' }));
  await withTx(db, (tx) => service.addLeave(tx, operator, others[2], { startsAt: new Date(now + 3 * DAY).toISOString(), endsAt: new Date(now + 9 * DAY).toISOString(), reason: '单位重要工作安排' }));
  const cancelled = await withTx(db, (tx) => service.addLeave(tx, operator, others[3], { startsAt: new Date(now + 5 * DAY).toISOString(), endsAt: new Date(now + 6 * DAY).toISOString(), reason: '家中有事' }));
  await withTx(db, (tx) => service.cancelLeave(tx, operator, others[3], cancelled.id));
  // Declared conflicts with purchasing units and suppliers.
  const units = (await db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').limit(5).select('id')).map((r: { id: number }) => Number(r.id));
  const suppliers = (await db('suppliers').where({ status: 'approved' }).orderBy('id').limit(5).select('id')).map((r: { id: number }) => Number(r.id));
  await withTx(db, (tx) => service.declareConflict(tx, operator, others[4], { orgId: units[0], relation: 'former_employer', note: '2024年前在该单位信息中心任职', until: new Date(now + 400 * DAY).toISOString() }));
  await withTx(db, (tx) => service.declareConflict(tx, operator, others[5], { supplierId: suppliers[0], relation: 'relative', note: '配偶为该公司法定代表人' }));
  await withTx(db, (tx) => service.declareConflict(tx, operator, others[6], { supplierId: suppliers[1], relation: 'litigation', note: '与该公司存在未结合同纠纷诉讼' }));
  const withdrawn = await withTx(db, (tx) => service.declareConflict(tx, operator, others[7], { supplierId: suppliers[2], relation: 'other', note: '曾为该公司提供咨询服务' }));
  await withTx(db, (tx) => service.withdrawConflict(tx, operator, others[7], withdrawn.id));
  if (demoExpert) await withTx(db, (tx) => service.declareConflict(tx, { ...operator, role: 'expert', userId: Number(demoUser!.id) }, Number(demoExpert.id), { supplierId: suppliers[3], relation: 'former_employer', note: '三年内曾在该公司任技术顾问', until: new Date(now + 300 * DAY).toISOString() }));
  // Status changes and a new enrolment with a login.
  await withTx(db, (tx) => service.setStatus(tx, operator, others[8], 'suspended', '连续三次无故不参加评审，暂停一个季度'));
  await withTx(db, (tx) => service.setStatus(tx, operator, others[9], 'disqualified', '评审中收受供应商财物，取消评审专家资格（阳财采〔2026〕5号）'));
  // A small panel of works generalists (specialty B), the demo expert among them.
  const works: Array<[string, string, string]> = [
    ['顾建平', '阳光市建筑设计研究院', '教授级高级工程师'],
    ['沈立华', '阳光市市政工程管理处', '高级工程师'],
    ['韩雪梅', '阳光工程造价咨询有限公司', '注册造价工程师'],
    ['杨振东', '阳光大学土木工程学院', '副教授'],
    ['曹丽', '阳光市建设工程质量监督站', '高级工程师'],
    ['许文涛', '阳光市住房保障中心', '高级工程师'],
  ];
  for (const [i, [name, employerName, title]] of works.entries()) {
    await withTx(db, (tx) =>
      service.enrol(tx, operator, { name, employerName, region: '330100', title, phone: `1357100${String(1000 + i)}`, email: `works${i + 1}@experts.example.cn`, maxEvaluationsPerQuarter: 12, specialties: ['B', ['B01', 'B02', 'B06', 'B07', 'B08', 'B01'][i]] }),
    );
  }
  if (demoExpert) {
    const own = (await db('expert_specialties').where({ expert_id: demoExpert.id }).pluck('category_code')) as string[];
    await withTx(db, (tx) => service.updateProfile(tx, operator, Number(demoExpert.id), { specialties: [...new Set([...own, 'B'])] }));
  }
  await withTx(db, (tx) =>
    service.enrol(tx, operator, { name: '方晓岚', employerName: '阳光大学信息学院', region: '330100', title: '教授', phone: '13905710001', email: 'fang.xl@experts.example.cn', maxEvaluationsPerQuarter: 10, specialties: ['C1601', 'C1603', 'A02010201'] }),
  );
}
