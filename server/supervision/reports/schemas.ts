// Request schemas of the report API (ajv; the route registry validates and documents them).
import { METHODS } from '../../core/methods/rules';
import { SPEND_DIMENSIONS, DRILL_SORTS } from './queries';
import { REPORTS } from './tables';

const month = { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' };
export const filterProps = {
  from: month,
  to: month,
  orgId: { type: 'integer', minimum: 1 },
  category: { type: 'string', pattern: '^[A-Z][0-9A-Z]{0,31}$' },
  method: { enum: [...METHODS] },
  supplierId: { type: 'integer', minimum: 1 },
} as const;

export const filtersQuery = { type: 'object', additionalProperties: false, properties: { ...filterProps } };
export const spendQuery = { type: 'object', additionalProperties: false, properties: { ...filterProps, by: { enum: [...SPEND_DIMENSIONS], default: 'unit' } } };
export const suppliersQuery = { type: 'object', additionalProperties: false, properties: { ...filterProps, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } };
// Budget lines take the common filters but the supplier: a frozen requisition has none yet.
const { from, to, orgId, category, method } = filterProps;
export const budgetQuery = { type: 'object', additionalProperties: false, properties: { year: { type: 'integer', minimum: 2000, maximum: 2100 }, from, to, orgId, category, method } };
export const drilldownQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filterProps,
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
    sort: { enum: [...DRILL_SORTS], default: 'award' },
    dir: { enum: ['asc', 'desc'], default: 'desc' },
  },
};
export const exportBody = {
  type: 'object',
  additionalProperties: false,
  required: ['report', 'format'],
  properties: {
    report: { enum: [...REPORTS] },
    format: { enum: ['csv', 'xlsx'] },
    lang: { enum: ['zh', 'en'], default: 'zh' },
    params: { type: 'object', additionalProperties: false, properties: { ...filterProps, by: { enum: [...SPEND_DIMENSIONS] }, year: { type: 'integer', minimum: 2000, maximum: 2100 } }, default: {} },
  },
};
export const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] };
