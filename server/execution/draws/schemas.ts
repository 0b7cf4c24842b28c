// Request schemas for the draw API (the same objects validate requests and build OpenAPI).
const id = { type: 'integer', minimum: 1 } as const;
const code = { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Z][A-Z0-9]*$' } as const;

export const idParams = { type: 'object', properties: { id }, required: ['id'] } as const;

export const drawRequestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['projectRef', 'purchasingOrgId', 'supplierIds', 'groups', 'evaluationAt', 'evaluationPlace', 'revealAt'],
  properties: {
    projectRef: { type: 'string', minLength: 1, maxLength: 64 },
    projectId: { anyOf: [id, { type: 'null' }] },
    purchasingOrgId: id,
    supplierIds: { type: 'array', items: id, maxItems: 200, uniqueItems: true },
    groups: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: { type: 'object', additionalProperties: false, required: ['specialty', 'count'], properties: { specialty: code, count: { type: 'integer', minimum: 1, maximum: 50 } } },
    },
    evaluationAt: { type: 'string', format: 'date-time' },
    evaluationPlace: { type: 'string', minLength: 1, maxLength: 200 },
    revealAt: { type: 'string', format: 'date-time' },
    responseMinutes: { type: 'integer', minimum: 10, maximum: 7 * 24 * 60 },
  },
} as const;

export const drawListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { enum: ['sealed', 'revealed'] }, projectRef: { type: 'string', maxLength: 64 }, page: { type: 'integer', minimum: 1, default: 1 }, pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
} as const;
