// The standard tender-document templates (goods, services, works). An operator starts from one
// and fills in the project's requirements, qualifications, scoring criteria and dates.
import type { CategoryKind, Criterion, EvaluationMethod } from './rules';

export interface Requirement {
  key: string;
  text: string;
}
export interface Qualification {
  key: string;
  text: string;
}

export interface TenderTemplate {
  kind: CategoryKind;
  method: EvaluationMethod;
  priceWeight: number;
  smeDeductionPct: number;
  requirements: Requirement[];
  qualifications: Qualification[];
  criteria: Criterion[];
}

// Conditions of Government Procurement Law art. 22, common to every template.
const LEGAL_QUALIFICATIONS: Qualification[] = [
  { key: 'q-legal', text: '具有独立承担民事责任的能力 (independent civil liability)' },
  { key: 'q-credit', text: '具有良好的商业信誉和健全的财务会计制度 (good commercial credit, sound accounts)' },
  { key: 'q-tax', text: '有依法缴纳税收和社会保障资金的良好记录 (taxes and social security paid)' },
  { key: 'q-record', text: '参加政府采购活动前三年内，在经营活动中没有重大违法记录 (no major violation in 3 years)' },
];

export const TEMPLATES: Record<CategoryKind, TenderTemplate> = {
  goods: {
    kind: 'goods',
    method: 'comprehensive',
    priceWeight: 30,
    smeDeductionPct: 10,
    requirements: [
      { key: 'r-spec', text: '技术参数满足采购需求 (technical specification)' },
      { key: 'r-delivery', text: '交货期与交货地点 (delivery time and place)' },
      { key: 'r-warranty', text: '质保期及售后服务 (warranty and after-sales service)' },
    ],
    qualifications: [...LEGAL_QUALIFICATIONS, { key: 'q-license', text: '所投产品具有合法来源及必要的资质证明 (legal source of the goods)' }],
    criteria: [
      { key: 'price', name: '价格 Price', kind: 'price', weight: 30 },
      { key: 'technical', name: '技术响应 Technical response', kind: 'technical', weight: 40 },
      { key: 'service', name: '售后服务 After-sales service', kind: 'commercial', weight: 20 },
      { key: 'experience', name: '同类业绩 Similar contracts', kind: 'commercial', weight: 10 },
    ],
  },
  services: {
    kind: 'services',
    method: 'comprehensive',
    priceWeight: 20,
    smeDeductionPct: 10,
    requirements: [
      { key: 'r-scope', text: '服务内容与范围 (scope of service)' },
      { key: 'r-staff', text: '人员配置 (staffing)' },
      { key: 'r-sla', text: '服务标准与响应时间 (service levels and response time)' },
    ],
    qualifications: [...LEGAL_QUALIFICATIONS],
    criteria: [
      { key: 'price', name: '价格 Price', kind: 'price', weight: 20 },
      { key: 'plan', name: '服务方案 Service plan', kind: 'technical', weight: 45 },
      { key: 'team', name: '团队与人员 Team', kind: 'technical', weight: 20 },
      { key: 'experience', name: '同类业绩 Similar contracts', kind: 'commercial', weight: 15 },
    ],
  },
  works: {
    kind: 'works',
    method: 'lowest_price',
    priceWeight: 100,
    smeDeductionPct: 3,
    requirements: [
      { key: 'r-schedule', text: '工期 (construction period)' },
      { key: 'r-quality', text: '质量标准 (quality standard)' },
      { key: 'r-safety', text: '安全文明施工措施 (site safety)' },
    ],
    qualifications: [...LEGAL_QUALIFICATIONS, { key: 'q-construction', text: '具有相应的建筑业企业资质与安全生产许可证 (construction qualification and safety licence)' }],
    criteria: [],
  },
};
