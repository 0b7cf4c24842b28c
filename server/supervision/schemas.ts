// Request schemas of the supervision API (validated by the route registry, published in OpenAPI).
import { pageQuery } from '../http/paging';
import { ALERT_STATUSES, FINDINGS } from './alerts/state-machine';
import { SEVERITIES } from './rules/catalogue';
import { TRACE_SUBJECTS } from './trace/service';

export const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] };
export const codeParams = { type: 'object', properties: { code: { type: 'string', pattern: '^[A-Z]{1,2}\\d{2,3}$' } }, required: ['code'] };
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });

export const ruleUpdateBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    enabled: { type: 'boolean' },
    severity: { enum: SEVERITIES },
    thresholds: { type: 'object', maxProperties: 20 },
  },
};

export const alertListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: ALERT_STATUSES },
    open: { type: 'boolean' },
    ruleCode: { type: 'string', maxLength: 16 },
    severity: { enum: SEVERITIES },
    orgId: { type: 'integer', minimum: 1 },
    assignedTo: { type: 'integer', minimum: 1 },
    processKey: { type: 'string', maxLength: 64 },
    riskPointId: { type: 'integer', minimum: 1 },
    ...pageQuery,
  },
};

export const assignBody = { type: 'object', additionalProperties: false, required: ['assigneeId'], properties: { assigneeId: { type: 'integer', minimum: 1 }, note: { type: 'string', maxLength: 2000 } } };
export const noteBody = { type: 'object', additionalProperties: false, required: ['note'], properties: { note: text(4000) } };
export const closeBody = { type: 'object', additionalProperties: false, required: ['finding', 'note'], properties: { finding: { enum: FINDINGS }, note: text(4000) } };
export const linkBody = { type: 'object', additionalProperties: false, required: ['riskPointId'], properties: { riskPointId: { type: ['integer', 'null'], minimum: 1 } } };

export const traceQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['subjectId'],
  properties: {
    // Optional: a reference says what it is; an id needs its kind.
    subjectType: { enum: TRACE_SUBJECTS },
    subjectId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    action: { type: 'string', maxLength: 96 },
    actorId: { type: 'integer', minimum: 1 },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    format: { enum: ['json', 'csv'] },
    download: { type: 'boolean' },
  },
};

export const performanceQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, groupBy: { enum: ['unit', 'department'] } },
};

const riskProps = {
  code: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,32}$' },
  post: text(100),
  process: text(100),
  title: text(200),
  description: text(4000),
  level: { enum: ['low', 'medium', 'high'] },
  controls: text(4000),
};
export const riskCreateBody = { type: 'object', additionalProperties: false, required: Object.keys(riskProps), properties: { ...riskProps, rules: { type: 'array', maxItems: 40, items: { type: 'string', maxLength: 16 } } } };
const { code: _code, ...riskEditable } = riskProps;
export const riskUpdateBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: { ...riskEditable, status: { enum: ['active', 'retired'] } } };
export const riskRulesBody = { type: 'object', additionalProperties: false, required: ['rules'], properties: { rules: { type: 'array', maxItems: 40, items: { type: 'string', maxLength: 16 } } } };
export const riskListQuery = { type: 'object', additionalProperties: false, properties: { status: { enum: ['active', 'retired'] }, post: { type: 'string', maxLength: 100 }, process: { type: 'string', maxLength: 100 } } };
export const processParams = { type: 'object', properties: { kind: { enum: ['competition', 'project'] }, id: { type: 'string', pattern: '^[0-9]{1,12}$' } }, required: ['kind', 'id'] };
