// Request schemas (ajv): the same objects validate requests and describe the API in OpenAPI.
import { tenderBody } from '../tendering/schemas';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });
const id = { type: 'integer', minimum: 1 };
const iso = { type: 'string', format: 'date-time' };
const t = tenderBody.properties;

export const idParams = { type: 'object', properties: { id }, required: ['id'] };
export const changeParams = { type: 'object', properties: { id, changeId: id }, required: ['id', 'changeId'] };

// The consultation documents: the tender template's terms (comprehensive scoring only), the
// invitation route, the exception that lowers the supplier minimum, and the first-response deadline.
export const consultationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'kind', 'categoryCode', 'budgetFen', 'priceWeight', 'smeDeductionPct', 'description', 'requirements', 'qualifications', 'criteria', 'invitation', 'responseDeadline'],
  properties: {
    title: t.title,
    kind: t.kind,
    categoryCode: t.categoryCode,
    projectId: t.projectId,
    purchasingOrgId: t.purchasingOrgId,
    budgetFen: t.budgetFen,
    priceWeight: t.priceWeight,
    smeDeductionPct: t.smeDeductionPct,
    description: t.description,
    requirements: t.requirements,
    qualifications: t.qualifications,
    criteria: t.criteria,
    invitation: { enum: ['draw', 'public_notice'] },
    exception: { enum: ['services_2015_124', 'research_art22', null] },
    responseDeadline: iso,
  },
};

export const invitationBody = { type: 'object', additionalProperties: false, required: ['count'], properties: { count: { type: 'integer', minimum: 1, maximum: 50 }, excludeSupplierIds: { type: 'array', maxItems: 200, uniqueItems: true, items: id } } };
export const responseBody = { type: 'object', additionalProperties: false, required: ['text'], properties: { text: text(50_000) } };
export const drawBody = { type: 'object', additionalProperties: false, required: ['drawId'], properties: { drawId: text(64) } };
export const roundBody = { type: 'object', additionalProperties: false, required: ['supplierId', 'minutes'], properties: { supplierId: id, minutes: text(20_000) } };
export const changeBody = { type: 'object', additionalProperties: false, required: ['summary', 'body'], properties: { summary: text(200), body: text(20_000) } };
export const eliminationBody = { type: 'object', additionalProperties: false, required: ['supplierId', 'reason'], properties: { supplierId: id, reason: text(500) } };
export const finalQuotationBody = { type: 'object', additionalProperties: false, required: ['deadline'], properties: { deadline: iso, openingAt: iso } };
export const cancelBody = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(500) } };
