// What a report's keys are called in an export (the same words as the reports page,
// client/src/views/reports/messages.ts): a spreadsheet never shows online_price_competition.
export type Names = Record<string, readonly [zh: string, en: string]>;

export const METHOD_NAMES: Names = {
  public_tender: ['公开招标', 'Public tender'],
  online_price_competition: ['网上竞价', 'Online price competition'],
  framework_order: ['框架协议订单', 'Framework-agreement order'],
  inquiry: ['询价', 'Request for quotations'],
  competitive_negotiation: ['竞争性谈判', 'Competitive negotiation'],
  single_source: ['单一来源', 'Single source'],
  invitational_tender: ['邀请招标', 'Invitational tender'],
  competitive_consultation: ['竞争性磋商', 'Competitive consultation'],
};

export const STAGE_NAMES: Names = {
  approval: ['申请审批', 'Requisition approval'],
  documents_prepared: ['采购文件编制', 'Documents'],
  notice_published: ['招标公告', 'Tender notice'],
  bidding_open: ['投标', 'Bidding'],
  order: ['框架协议订单', 'Framework order'],
  opening: ['开标', 'Opening'],
  responses_open: ['响应', 'Responses'],
  justification_notice: ['单一来源公示', 'Single-source notice'],
  prequalification: ['资格预审', 'Prequalification'],
  suppliers_invited: ['供应商邀请', 'Suppliers invited'],
  negotiation: ['协商', 'Negotiation'],
  competition: ['竞价', 'Competition'],
  evaluation: ['评审', 'Evaluation'],
  award_notice: ['结果公告', 'Award notice'],
  challenge_period: ['质疑期', 'Challenge period'],
  contract: ['合同签订', 'Contract'],
  acceptance: ['履约验收', 'Acceptance'],
  payment: ['资金支付', 'Payment'],
  closed: ['已完结', 'Closed'],
  failed: ['失败/废标', 'Failed'],
  requisition_to_contract: ['申请至合同签订', 'Requisition to contract'],
};

export const SIZE_NAMES: Names = {
  micro: ['微型企业', 'Micro'],
  small: ['小型企业', 'Small'],
  medium: ['中型企业', 'Medium'],
  large: ['大型企业', 'Large'],
  unknown: ['未知', 'Unknown'],
};

/** The name of a key in a language; an unknown key stays as it is. */
export const nameIn = (names: Names, key: unknown, lang: 'zh' | 'en'): unknown => {
  if (typeof key !== 'string' || !(key in names)) return key;
  return names[key][lang === 'en' ? 1 : 0];
};
