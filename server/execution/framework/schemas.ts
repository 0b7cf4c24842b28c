// Request schemas for framework-agreement procurement (also in the OpenAPI document).
const id = { type: 'integer', minimum: 1, maximum: 2147483647 };
const fenAmount = { type: 'integer', minimum: 1, maximum: 9_000_000_000_000 };
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' });
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

export const idParams = { type: 'object', properties: { id }, required: ['id'] };
export const refParams = { type: 'object', properties: { ref: { type: 'string', pattern: '^KJXY-\\d{4}-\\d{4,}$' } }, required: ['ref'] };

export const callBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'categoryCode', 'evaluationMethod', 'entryConditions', 'secondStageModes', 'termStart', 'termEnd', 'items'],
  properties: {
    title: text(200),
    categoryCode: text(32),
    evaluationMethod: { enum: ['price_priority', 'quality_priority'] },
    entryConditions: text(4000),
    secondStageModes: { type: 'array', minItems: 1, maxItems: 3, uniqueItems: true, items: { enum: ['direct', 'competition', 'rotation'] } },
    termStart: day,
    termEnd: day,
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['categoryCode', 'name', 'specification', 'unit', 'maxPriceFen'],
        properties: { categoryCode: text(32), name: text(200), specification: text(2000), unit: text(16), maxPriceFen: fenAmount },
      },
    },
  },
};

export const publishBody = { type: 'object', additionalProperties: false, required: ['responseDeadline'], properties: { responseDeadline: { type: 'string', format: 'date-time' } } };

// The response sealed in the browser (client/src/views/framework/sealing.ts): the server never sees it in clear.
export const responseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['envelope', 'digest'],
  properties: { envelope: { type: 'string', minLength: 1, maxLength: 200_000 }, digest: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
};

export const keyBody = { type: 'object', additionalProperties: false, required: ['keyHex'], properties: { keyHex: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' } } };

export const evaluateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    scores: { type: 'array', maxItems: 500, items: { type: 'object', additionalProperties: false, required: ['supplierId', 'qualityScore'], properties: { supplierId: id, qualityScore: { type: 'integer', minimum: 0, maximum: 100 } } } },
    rejections: { type: 'array', maxItems: 500, items: { type: 'object', additionalProperties: false, required: ['supplierId', 'reason'], properties: { supplierId: id, reason: text(500) } } },
  },
};

export const listQuery = { type: 'object', additionalProperties: false, properties: { status: { enum: ['draft', 'calling', 'opening', 'evaluation', 'entries_published', 'active', 'expired', 'failed'] } } };

export const optionsQuery = { type: 'object', additionalProperties: false, required: ['projectId'], properties: { projectId: id } };

export const orderBody = {
  type: 'object',
  additionalProperties: false,
  required: ['projectId', 'mode'],
  properties: {
    projectId: id,
    mode: { enum: ['direct', 'competition', 'rotation'] },
    supplierId: id,
    amountFen: fenAmount,
    reason: text(1000),
    competition: {
      type: 'object',
      additionalProperties: false,
      required: ['startsAt', 'durationSec', 'decrementKind', 'decrementValue'],
      properties: {
        startsAt: { type: 'string', format: 'date-time' },
        durationSec: { type: 'integer', minimum: 60, maximum: 7 * 86400 },
        decrementKind: { enum: ['absolute', 'percent'] },
        decrementValue: { type: 'integer', minimum: 1, maximum: 9_000_000_000_000 },
      },
    },
  },
};
