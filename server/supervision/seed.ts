// Demo data for the supervision wing, through its own services: adjusted rule settings, the
// risk points register (active and retired), the rules replayed over the demo city's recorded
// events, and alerts in every handling state, each linked to its risk point.
import type { Db } from '../db/knex';
import type { Clock } from '../db/time';
import { systemActor, type Actor } from '../http/actor';
import type { AlertService } from './alerts/service';
import type { RuleSettingsService } from './config/service';
import type { RiskPointService } from './risk/service';
import { replayAuditTrail, type RuleEngine } from './engine/engine';

const RISK_POINTS = [
  { code: 'RP-01', post: '采购人经办岗', process: '需求编制与采购申请', title: '化整为零规避公开招标', description: '将同一预算年度内同一品目的采购拆分为多次申请，使每次金额低于公开招标限额。', level: 'high', controls: '系统按单位、品目、30 天窗口自动汇总申请金额；超过限额自动预警并提示审批人。', rules: ['SV07'] },
  { code: 'RP-02', post: '采购代理经办岗', process: '发布采购公告', title: '压缩投标时间排斥潜在供应商', description: '公告至截止时间短于法定最短期限，或短于合理准备时间。', level: 'high', controls: '发布时系统校验法定期限；监管办抽查短期项目。', rules: ['SV02', 'R003'] },
  { code: 'RP-03', post: '专家抽取管理岗', process: '评审专家抽取', title: '提前泄露评审专家名单', description: '在评审结果公告前查看或泄露专家抽取结果。', level: 'high', controls: '抽取结果加密封存，开启前任何读取尝试记录并报警。', rules: ['SV10'] },
  { code: 'RP-04', post: '供应商投标', process: '投标与网上竞价', title: '串通投标', description: '不同供应商报价相同或接近、由同一 IP 或设备操作、报价集中贴近最高限价。', level: 'high', controls: '竞价中实时比对报价、IP 和设备指纹；可疑项目暂停并调查。', rules: ['SV03', 'SV04', 'SV05', 'R028', 'R024'] },
  { code: 'RP-05', post: '评审委员会', process: '资格审查与评审', title: '以不合理理由否决低价投标', description: '最低价或除中标人外的投标被否决，否决比例异常。', level: 'medium', controls: '否决须说明理由并留痕；监管办复核否决率高的项目和单位。', rules: ['R035', 'R036', 'R038', 'SV11'] },
  { code: 'RP-06', post: '采购人合同管理岗', process: '合同签订', title: '合同金额偏离中标结果', description: '合同金额、供应商与成交结果不一致，事后变更实质性条款。', level: 'medium', controls: '合同按成交结果生成，金额差异自动预警。', rules: ['SV08'] },
  { code: 'RP-07', post: '采购人审批岗', process: '审批与履约', title: '审批和验收拖延', description: '审批、验收等环节超过时限，变相设置障碍或索取好处。', level: 'low', controls: '各环节计时，超时自动提醒并计入绩效。', rules: ['SV09', 'SV06'] },
  { code: 'RP-08', post: '评审委员会', process: '评审打分', title: '评审走过场或倾向性打分', description: '未看投标文件即打分、提交后改分、个别专家分数畸高畸低、评审用时明显不足。', level: 'high', controls: '评审全程留痕并实时推送监管；评分偏离、改分和用时异常自动报警。', rules: ['SV12', 'SV13', 'SV14', 'SV15'] },
  { code: 'RP-00', post: '采购中心经办岗', process: '纸质投标文件接收', title: '纸质文件接收登记不全（已全面电子化）', description: '全流程电子化后纸质投标已取消，本风险点停用。', level: 'low', controls: '电子投标文件加密上传，不再接收纸质文件。', rules: [] },
] as const;

export async function seedSupervision(d: { db: Db; clock: Clock; alerts: AlertService; settings: RuleSettingsService; risks: RiskPointService; engine: RuleEngine }): Promise<void> {
  const { db, clock, alerts, settings, risks, engine } = d;
  const sup = await db('users as u').join('user_roles as r', 'r.user_id', 'u.id').where({ 'r.role': 'supervisor', 'u.status': 'active' }).orderBy('u.id').first('u.id');
  if (!sup) return; // no supervisors' office in this city
  const actor: Actor = { userId: Number(sup.id), role: 'supervisor', requestId: null, ip: null, clock };

  // Our catalogue codes are letter + two digits at the first level (A02, C16): three characters.
  await settings.update(actor, 'R048', { thresholds: { digits: 3 } });
  await settings.update(actor, 'SV01', { severity: 'high' });
  // R003 per method, by the legal minimum periods (as Cardinal's definition suggests for legislation).
  await settings.update(actor, 'R003', { thresholds: { procurementMethodDetails: { public_tender: 20, invitational_tender: 20, competitive_consultation: 10, competitive_negotiation: 3, inquiry: 3, online_competition: 3 } } });
  await settings.update(actor, 'SV06', { thresholds: { windowDays: 180 } });
  // Switched off until the city has a year of tender history (its fences need a population).
  await settings.update(actor, 'R025', { enabled: false });

  const points = new Map<string, number>();
  for (const { rules, ...p } of RISK_POINTS) points.set(p.code, (await risks.create(actor, { ...p }, [...rules])).id);
  await risks.update(actor, points.get('RP-00')!, { status: 'retired' });

  // The rules over whatever the other modules' demo data recorded on the audit trail.
  await replayAuditTrail(engine, db);

  // Alerts in every handling state, on the demo city's own units and suppliers.
  const units = await db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').limit(6).select('id', 'name_zh');
  const suppliers = await db('suppliers').orderBy('id').limit(6).select('id', 'name');
  if (units.length < 6 || suppliers.length < 4) return;
  const system = systemActor('supervision', clock);
  const raise = async (ruleCode: string, severity: 'low' | 'medium' | 'high' | 'critical', subjectKey: string, subjectType: string, subjectId: string, orgId: number, params: Record<string, string | number>, evidence: Record<string, unknown>) =>
    (await alerts.raise(system, { ruleCode, severity, finding: { subjectKey: `demo:${subjectKey}`, subjectType, subjectId, orgId, processKey: null, params, evidence: { demo: true, ...evidence } } }))!;

  const open = await raise('SV10', 'critical', 'draw-1', 'expert_draw', '1', units[0].id, { resource: 'expert_draw #1', actorRole: 'operator' }, { note: '开标前读取专家抽取结果', actorRole: 'operator' });
  const assigned = await raise('SV07', 'high', 'split-1', 'requisition', '1', units[1].id, { count: 3, totalYuan: 2_280_000, thresholdYuan: 2_000_000, category: 'A02010104' }, { requisitionTotalsYuan: [780_000, 760_000, 740_000], windowDays: 30 });
  const acknowledged = await raise('SV04', 'high', 'ip-1', 'supplier', String(suppliers[0].id), units[2].id, { process: '台式计算机网上竞价', suppliers: 2 }, { groups: [{ kind: 'ip', value: '203.0.113.24', suppliers: [suppliers[0].id, suppliers[1].id] }] });
  const investigating = await raise('SV03', 'high', 'price-1', 'supplier', String(suppliers[2].id), units[3].id, { process: '办公家具采购', suppliers: 2 }, { pairs: [{ a: suppliers[2].id, b: suppliers[3].id, amountA: 18_650_000, amountB: 18_660_000, gap: 0.0005 }] });
  const closedUnfounded = await raise('SV06', 'medium', 'conc-1', 'supplier', String(suppliers[1].id), units[4].id, { wins: 4, total: 6, share: 67 }, { windowDays: 180 });
  const closedConfirmed = await raise('SV09', 'low', 'overdue-1', 'approval_step', '1', units[5].id, { step: '单位负责人审批', dueAt: new Date(clock.now().getTime() - 3 * 86_400_000).toISOString() }, { overdueHours: 72 });

  await alerts.linkRiskPoint(actor, open.id, points.get('RP-03')!);
  await alerts.linkRiskPoint(actor, assigned.id, points.get('RP-01')!);
  await alerts.linkRiskPoint(actor, acknowledged.id, points.get('RP-04')!);
  await alerts.linkRiskPoint(actor, investigating.id, points.get('RP-04')!);
  await alerts.linkRiskPoint(actor, closedConfirmed.id, points.get('RP-07')!);

  for (const a of [assigned, acknowledged, investigating, closedUnfounded, closedConfirmed]) await alerts.assign(actor, a.id, actor.userId!);
  for (const a of [acknowledged, investigating, closedUnfounded, closedConfirmed]) await alerts.acknowledge(actor, a.id);
  await alerts.investigate(actor, investigating.id, '调取两家供应商的投标文件制作机器码和报价明细，约谈两家公司负责人。');
  await alerts.note(actor, investigating.id, '两份报价文件的分项单价有 23 项完全相同，已提请采购中心暂停合同签订。');
  await alerts.close(actor, closedUnfounded.id, 'unfounded', '该单位本期采购的均为同一品牌的框架协议商品，中标系网上竞价最低价，属正常集中。');
  await alerts.investigate(actor, closedConfirmed.id, '核查审批日志与请假记录。');
  await alerts.close(actor, closedConfirmed.id, 'corrected', '审批人出差未指定代理人；已责令整改并补充代理审批设置。');
}
