// Every red-flag rule the supervisors' office runs: its code, plain-language definition in both
// languages, default severity and thresholds (editable, see config/), and the audit actions it
// reacts to ('*' matches any verb). The Cardinal defaults are those of their definition files.
export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: Severity[] = ['low', 'medium', 'high', 'critical'];
export type ThresholdValue = number | boolean | null | string[] | Record<string, number>;

export interface RuleDef {
  code: string;
  family: 'cardinal' | 'platform';
  nameZh: string;
  nameEn: string;
  definitionZh: string;
  definitionEn: string;
  severity: Severity;
  thresholds: Record<string, ThresholdValue>;
  actions: string[];
}

// The events on which a process's outcome is known (award, close, contract, late disqualification).
export const OUTCOME_ACTIONS = ['competition.closed', 'competition.failed', 'auction.closed', 'auction.failed', 'tender.awarded', 'tender.failed', 'project.awarded', 'project.tender_awarded', 'award.*', 'contract.signed', 'contract.accepted', 'bid.disqualified', 'bid.invalidated'];
export const PERIOD_ACTIONS = ['competition.created', 'competition.announced', 'competition.opened', 'auction.announced', 'auction.opened', 'tender.published', 'tender.amended', 'project.created', 'project.stage_changed'];
export const BID_ACTIONS = ['bid.accepted', 'bid.submitted', 'bid.placed', 'bid.valid', 'auction.bid_accepted', 'auction.bids_accepted', 'competition.bid_accepted', 'auction.participant_joined', 'participant.joined'];

export const RULES: RuleDef[] = [
  // Cardinal (Open Contracting Partnership), ../shared/ocds/red-flags/R*.md
  { code: 'R003', family: 'cardinal', nameZh: '投标期过短', nameEn: 'Short submission period', definitionZh: '招标（响应）期自文件可获取之日至截止时间不足阈值整天数（默认 15 天）。', definitionEn: 'The submission period, from documents available to the deadline, is shorter than the threshold in whole days (default 15).', severity: 'medium', thresholds: { threshold: 15, procurementMethods: [], procurementMethodDetails: {} }, actions: PERIOD_ACTIONS },
  { code: 'R018', family: 'cardinal', nameZh: '仅收到一份投标', nameEn: 'Single bid received', definitionZh: '竞争性方式（公开招标、邀请招标）中只有一个投标人递交了投标。', definitionEn: 'Only one tenderer submitted a bid in a competitive (open or selective) procedure.', severity: 'medium', thresholds: { procurementMethods: ['open', 'selective'] }, actions: OUTCOME_ACTIONS },
  { code: 'R024', family: 'cardinal', nameZh: '次低价与中标价过近', nameEn: 'Price close to winning bid', definitionZh: '（次低有效报价 − 中标价）/ 中标价 不高于下围栏 Q1 − 1.5·四分位距（可设固定阈值）。', definitionEn: '(Second-lowest valid bid − winning bid) / winning bid is at or below the lower fence Q1 − 1.5·IQR (or a fixed threshold).', severity: 'medium', thresholds: { threshold: null, alertMinimumPopulation: 10 }, actions: OUTCOME_ACTIONS },
  { code: 'R025', family: 'cardinal', nameZh: '屡投不中', nameEn: 'Excessive unsuccessful bids', definitionZh: '投标人有效投标数不低于第 75 百分位，且中标率不高于下围栏 Q1 − 1.5·四分位距。', definitionEn: 'A tenderer whose valid bids are at or above the 75th percentile and whose win ratio is at or below the lower fence Q1 − 1.5·IQR.', severity: 'low', thresholds: { percentile: 75, threshold: null, alertMinimumPopulation: 10 }, actions: OUTCOME_ACTIONS },
  { code: 'R028', family: 'cardinal', nameZh: '报价完全相同', nameEn: 'Identical bid prices', definitionZh: '不同投标人递交了价格完全相同的投标。', definitionEn: 'Different tenderers submitted bids with the same price.', severity: 'high', thresholds: {}, actions: [...BID_ACTIONS, ...OUTCOME_ACTIONS] },
  { code: 'R030', family: 'cardinal', nameZh: '逾期投标中标', nameEn: 'Late bid won', definitionZh: '有效投标的递交时间晚于截止时间，且该投标人为中标供应商。', definitionEn: 'A valid bid received after the submission deadline is from the supplier of an active award.', severity: 'high', thresholds: {}, actions: OUTCOME_ACTIONS },
  { code: 'R035', family: 'cardinal', nameZh: '除中标人外全部被否决', nameEn: 'All except winning bid disqualified', definitionZh: '只有一个投标人的投标有效且中标，另有不少于阈值（默认 1）个投标人的投标被否决。', definitionEn: 'Exactly one tenderer has valid bids and is awarded, and at least the threshold (default 1) of other tenderers were disqualified.', severity: 'high', thresholds: { threshold: 1 }, actions: OUTCOME_ACTIONS },
  { code: 'R036', family: 'cardinal', nameZh: '最低价投标被否决', nameEn: 'Lowest bid disqualified', definitionZh: '已授标、存在有效报价时，最低的递交报价被否决。', definitionEn: 'With an active award and valid priced bids, the lowest submitted bid is disqualified.', severity: 'high', thresholds: {}, actions: OUTCOME_ACTIONS },
  { code: 'R038', family: 'cardinal', nameZh: '否决投标比例过高', nameEn: 'Excessive disqualified bids', definitionZh: '采购人或投标人的否决投标占比不低于上围栏 Q3 + 1.5·四分位距（至少 2 个项目 / 2 份投标）。', definitionEn: 'The ratio of disqualified to submitted bids of a buyer or tenderer is at or above the upper fence Q3 + 1.5·IQR (at least 2 processes / 2 bids).', severity: 'medium', thresholds: { threshold: null, minimumSubmittedBids: 2, minimumContractingProcesses: 2, alertMinimumPopulation: 10 }, actions: OUTCOME_ACTIONS },
  { code: 'R048', family: 'cardinal', nameZh: '供应商经营品类过杂', nameEn: 'Heterogeneous supplier', definitionZh: '供应商中标品目的一级分类数不低于上围栏 Q3 + 1.5·四分位距（向上取整；按至少 20 个项目的供应商计算）。', definitionEn: 'The number of first-level classifications a supplier is awarded is at or above the upper fence Q3 + 1.5·IQR (rounded up; among suppliers awarded in at least 20 processes).', severity: 'low', thresholds: { threshold: null, digits: 2, minimumContractingProcesses: 20, alertMinimumPopulation: 10 }, actions: OUTCOME_ACTIONS },
  { code: 'R058', family: 'cardinal', nameZh: '中标价大幅低于次低价', nameEn: 'Heavily discounted bid', definitionZh: '（次低有效报价 − 中标价）/ 中标价 不低于上围栏 Q3 + 1.5·四分位距（可设固定阈值）。', definitionEn: '(Second-lowest valid bid − winning bid) / winning bid is at or above the upper fence Q3 + 1.5·IQR (or a fixed threshold).', severity: 'medium', thresholds: { threshold: null, alertMinimumPopulation: 10 }, actions: OUTCOME_ACTIONS },
  // The platform's own rules
  { code: 'SV01', family: 'platform', nameZh: '单一投标人', nameEn: 'Single bidder', definitionZh: '竞争性采购结束时参与的供应商少于最低家数（默认 2 家，即只有一家）。', definitionEn: 'A competitive process closes with fewer distinct bidders than the minimum (default 2, i.e. a single bidder).', severity: 'medium', thresholds: { minimumBidders: 2 }, actions: OUTCOME_ACTIONS },
  { code: 'SV02', family: 'platform', nameZh: '投标期短于法定最短期限', nameEn: 'Bidding period below the legal minimum', definitionZh: '自文件发出至投标截止的期限短于该采购方式的法定最短期限（公开招标 20 日，磋商 10 日，谈判、询价 3 个工作日）。', definitionEn: 'The period from issuing documents to the deadline is shorter than the legal minimum for the method (public tender 20 days, consultation 10 days, negotiation and inquiry 3 working days).', severity: 'high', thresholds: { minimumDays: { public_tender: 20, invitational_tender: 20, competitive_consultation: 10 }, minimumWorkingDays: { competitive_negotiation: 3, inquiry: 3 } }, actions: PERIOD_ACTIONS },
  { code: 'SV03', family: 'platform', nameZh: '不同供应商报价相同或接近', nameEn: 'Identical or near-identical prices', definitionZh: '同一项目中不同供应商的报价相差不超过容差（默认 0.1%）；网上竞价（报价公开、逐轮递减）默认不适用。', definitionEn: 'Bids of different suppliers in one process differ by no more than the tolerance (default 0.1 %); not applied by default to live price competitions, whose prices converge by design.', severity: 'high', thresholds: { relativeTolerance: 0.001, excludeMethods: ['online_competition'] }, actions: [...BID_ACTIONS, ...OUTCOME_ACTIONS] },
  { code: 'SV04', family: 'platform', nameZh: '不同供应商同一 IP 或设备', nameEn: 'Same IP address or device', definitionZh: '同一项目中两家以上供应商从同一 IP 地址或同一设备参与。', definitionEn: 'Two or more suppliers in one process act from the same IP address or the same device.', severity: 'high', thresholds: { checkIp: true, checkDevice: true }, actions: [...BID_ACTIONS, ...OUTCOME_ACTIONS] },
  { code: 'SV05', family: 'platform', nameZh: '报价集中贴近最高限价', nameEn: 'Bids just under the ceiling', definitionZh: '项目结束时全部报价（至少 3 份）都落在最高限价以下的窄幅区间内（默认 2%）。', definitionEn: 'When the process closes, all bids (at least 3) sit within a narrow band just under the ceiling (default 2 %).', severity: 'medium', thresholds: { band: 0.02, minimumBids: 3 }, actions: OUTCOME_ACTIONS },
  { code: 'SV06', family: 'platform', nameZh: '同一供应商反复中标', nameEn: 'Supplier concentration', definitionZh: '统计期内（默认 365 天）某单位至少 4 个成交项目中，同一供应商中标不少于 3 个且占比不低于 50%。', definitionEn: 'Within the window (default 365 days), of a unit\'s at least 4 awards, one supplier wins at least 3 and at least 50 %.', severity: 'medium', thresholds: { windowDays: 365, minimumAwards: 4, minimumWins: 3, maximumShare: 0.5 }, actions: OUTCOME_ACTIONS },
  { code: 'SV07', family: 'platform', nameZh: '化整为零规避公开招标', nameEn: 'Requisition splitting', definitionZh: '同一单位同一品目在窗口期内（默认取规则库，30 天）提交的多份申请，每份低于公开招标限额、合计达到或超过限额（默认取规则库：货物和服务 200 万元，工程 400 万元）。', definitionEn: 'Several requisitions of one unit and category within the window (default: the rule book\'s, 30 days), each under the public-tender threshold but together at or over it (default: the rule book\'s, 2,000,000 CNY for goods and services, 4,000,000 CNY for works).', severity: 'high', thresholds: { windowDays: null, thresholdFen: null, minimumCount: 2 }, actions: ['requisition.submitted', 'requisition.split_suspected'] },
  { code: 'SV08', family: 'platform', nameZh: '成交或合同金额与中标价不符', nameEn: 'Award or contract amount differs from the winning price', definitionZh: '成交金额与中标报价、或合同金额与成交金额不一致（超过容差，默认 0 分）。', definitionEn: 'The award amount differs from the winning bid, or the contract amount from the award (beyond the tolerance, default 0 fen).', severity: 'high', thresholds: { toleranceFen: 0 }, actions: OUTCOME_ACTIONS },
  { code: 'SV09', family: 'platform', nameZh: '环节超时', nameEn: 'Step past its time limit', definitionZh: '审批或采购环节超过规定时限仍未办结。', definitionEn: 'An approval or procurement step is past its time limit and not completed.', severity: 'low', thresholds: { graceHours: 0 }, actions: ['step.overdue', 'stage.overdue'] },
  { code: 'SV10', family: 'platform', nameZh: '试图读取密封数据', nameEn: 'Attempt to read sealed data', definitionZh: '在解密（揭晓）之前有人试图读取密封数据，如专家抽取结果或投标文件。', definitionEn: 'Someone tried to read sealed data (an expert draw result, sealed bids) before it was revealed.', severity: 'critical', thresholds: { foldWindowMinutes: 60 }, actions: ['sealed.read_attempt'] },
  { code: 'SV11', family: 'platform', nameZh: '中标价异常偏低', nameEn: 'Abnormally low winning price', definitionZh: '中标价低于其他有效报价均值的 80%（至少 2 份其他报价），或低于最高限价的 50%。', definitionEn: 'The winning price is below 80 % of the mean of the other valid bids (at least 2), or below 50 % of the ceiling.', severity: 'medium', thresholds: { ratioToOthersMean: 0.8, minimumOtherBids: 2, ratioToCeiling: 0.5 }, actions: OUTCOME_ACTIONS },
];

export const RULES_BY_CODE = new Map(RULES.map((r) => [r.code, r]));

export function matchesAction(patterns: string[], action: string): boolean {
  return patterns.some((p) => (p.endsWith('.*') ? action.startsWith(p.slice(0, -1)) : p === action));
}
