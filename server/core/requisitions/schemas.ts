// Request schemas for requisitions and approvals.
export const idParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] } as const;

const item = {
  type: 'object',
  additionalProperties: false,
  required: ['categoryCode', 'name', 'specification', 'quantity', 'unit', 'unitPriceFen'],
  properties: {
    categoryCode: { type: 'string', minLength: 1, maxLength: 32 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    specification: { type: 'string', minLength: 1, maxLength: 4000 },
    quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    unit: { type: 'string', minLength: 1, maxLength: 16 },
    unitPriceFen: { type: 'integer', minimum: 1, maximum: 100_000_000_000 },
  },
};

export const requisitionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'budgetLineId', 'neededBy', 'justification', 'items'],
  properties: {
    title: { type: 'string', minLength: 2, maxLength: 200 },
    budgetLineId: { type: 'integer', minimum: 1 },
    neededBy: { type: 'string', format: 'date' },
    justification: { type: 'string', minLength: 2, maxLength: 4000 },
    items: { type: 'array', minItems: 1, maxItems: 100, items: item },
    singleSourceReason: { type: ['string', 'null'], maxLength: 4000 },
    requestedMethod: { enum: ['invitational_tender', 'competitive_consultation', null] },
    methodRequestReason: { type: ['string', 'null'], maxLength: 4000 },
    submit: { type: 'boolean' },
  },
} as const;

export const decisionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: { decision: { enum: ['approve', 'reject', 'return'] }, comment: { type: 'string', maxLength: 2000 } },
} as const;

export const attachmentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'contentType', 'contentBase64'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^/\\\\]+$' },
    contentType: { type: 'string', maxLength: 100 },
    contentBase64: { type: 'string', minLength: 1, maxLength: 14_000_000 }, // 10 MB of file (checked after decoding)
  },
} as const;

export const reasonBody = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 2, maxLength: 2000 } } } as const;
