// Request schemas (ajv): the same objects validate requests and describe the API in OpenAPI.
const key = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' };
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });
const iso = { type: 'string', format: 'date-time' };
export const hex64 = { type: 'string', pattern: '^[0-9a-fA-F]{64}$' };

export const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] };
export const bidParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, bidId: { type: 'integer', minimum: 1 } }, required: ['id', 'bidId'] };

export const tenderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'kind', 'categoryCode', 'budgetFen', 'method', 'priceWeight', 'smeDeductionPct', 'description', 'requirements', 'qualifications', 'criteria', 'bidDeadline', 'openingAt'],
  properties: {
    title: text(200),
    kind: { enum: ['goods', 'services', 'works'] },
    categoryCode: text(32),
    projectId: { type: ['integer', 'null'], minimum: 1 },
    purchasingOrgId: { type: ['integer', 'null'], minimum: 1 },
    budgetFen: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    method: { enum: ['comprehensive', 'lowest_price'] },
    priceWeight: { type: 'integer', minimum: 0, maximum: 100 },
    smeDeductionPct: { type: 'integer', minimum: 0, maximum: 30 },
    abnormalLowPct: { type: 'integer', minimum: 50, maximum: 95 },
    decryptionMinutes: { type: 'integer', minimum: 10, maximum: 240 },
    description: text(20000),
    requirements: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'object', additionalProperties: false, required: ['key', 'text'], properties: { key, text: text(2000) } } },
    qualifications: { type: 'array', maxItems: 30, items: { type: 'object', additionalProperties: false, required: ['key', 'text'], properties: { key, text: text(2000) } } },
    criteria: { type: 'array', maxItems: 20, items: { type: 'object', additionalProperties: false, required: ['key', 'name', 'kind', 'weight'], properties: { key, name: text(100), kind: { enum: ['price', 'technical', 'commercial'] }, weight: { type: 'integer', minimum: 0, maximum: 100 } } } },
    bidDeadline: iso,
    openingAt: iso,
  },
};

export const noticeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'title', 'body'],
  properties: { kind: { enum: ['clarification', 'amendment'] }, title: text(200), body: text(20000), substantive: { type: 'boolean', default: false } },
};

export const cancelBody = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(500) } };

/**
 * A sealed bid carries its attachments (6 MB of files at most, checked in the page): base64 in the
 * plaintext, then base64 of the ciphertext, about 1.8 × the files. The envelope must also fit in
 * one MySQL packet (max_allowed_packet, 16 MB by default) when it is stored.
 */
export const MAX_BID_ATTACHMENT_BYTES = 6 * 1024 * 1024;
export const MAX_ENVELOPE_CHARS = 12_000_000;
export const BID_BODY_LIMIT = '12mb';
export const bidBody = {
  type: 'object',
  additionalProperties: false,
  required: ['envelope', 'digest'],
  properties: {
    envelope: { type: 'string', minLength: 50, maxLength: MAX_ENVELOPE_CHARS },
    digest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    // The browser's device id, as an auction join sends it: for the same-device red flag (SV04).
    deviceId: { type: 'string', minLength: 1, maxLength: 64 },
  },
};

export const keyBody = { type: 'object', additionalProperties: false, required: ['key'], properties: { key: hex64 } };

export const scoreBody = {
  type: 'object',
  additionalProperties: false,
  required: ['compliance', 'scores'],
  properties: {
    compliance: { type: 'object', maxProperties: 30, additionalProperties: { type: 'boolean' } },
    scores: { type: 'object', maxProperties: 20, additionalProperties: { type: 'number', minimum: 0, maximum: 100 } },
    comment: { type: 'string', maxLength: 2000 },
  },
};

export const explanationRequestBody = { type: 'object', additionalProperties: false, required: ['note'], properties: { note: text(2000) } };
export const explanationBody = { type: 'object', additionalProperties: false, required: ['text'], properties: { text: text(20000) } };
export const decisionBody = { type: 'object', additionalProperties: false, required: ['accepted', 'reason'], properties: { accepted: { type: 'boolean' }, reason: text(500) } };
export const memberParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, expertId: { type: 'integer', minimum: 1 } }, required: ['id', 'expertId'] };
export const returnScoresBody = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(500) } };
export const confirmBody = { type: 'object', additionalProperties: false, required: ['reportSha256'], properties: { reportSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } } };
export const awardBody = { type: 'object', additionalProperties: false, properties: { bidId: { type: 'integer', minimum: 1 }, reason: text(500) } };
export const drawBody = { type: 'object', additionalProperties: false, required: ['drawId'], properties: { drawId: text(64) } };
