// The finance link's documents (API version 1). The same schemas validate requests (ajv, in the
// route registry) and describe the API in /api/openapi.json; docs/finance-api is generated from them.
export const FINANCE_API_VERSION = 'v1';

const code = { type: 'string', minLength: 1, maxLength: 48, pattern: '^[A-Za-z0-9_-]+$' };
const fenAmount = { type: 'integer', minimum: 0, maximum: 9_000_000_000_000_000 };

export const allocationPushSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['fiscalYear', 'allocations'],
  properties: {
    fiscalYear: { type: 'integer', minimum: 2000, maximum: 2100 },
    allocations: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['budgetLineCode', 'orgCode', 'name', 'economicClass', 'allocatedFen'],
        properties: {
          budgetLineCode: code,
          orgCode: { type: 'string', minLength: 1, maxLength: 32 },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          economicClass: { type: 'string', pattern: '^[0-9]{3,8}$' },
          allocatedFen: fenAmount,
        },
      },
    },
  },
} as const;

export const paymentStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { enum: ['accepted', 'paid', 'rejected'] },
    treasuryRef: { type: 'string', minLength: 1, maxLength: 64 },
    reason: { type: 'string', minLength: 1, maxLength: 255 },
    paidAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const webhookSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: { url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 500 } },
} as const;

export const paymentRequestDoc = {
  type: 'object',
  properties: {
    ref: { type: 'string' },
    contractRef: { type: 'string' },
    projectRef: { type: 'string' },
    budgetLineCode: { type: 'string' },
    supplierName: { type: 'string' },
    supplierCreditCode: { type: 'string' },
    amountFen: { type: 'integer' },
    status: { enum: ['requested', 'accepted', 'paid', 'rejected'] },
    treasuryRef: { type: ['string', 'null'] },
    requestedAt: { type: 'string' },
    paidAt: { type: ['string', 'null'] },
    resubmission: { type: 'boolean' },
    note: { type: 'string' },
  },
} as const;

/** The webhook envelope the platform POSTs (signed like requests, request id = eventId). */
export const webhookEventDoc = {
  type: 'object',
  required: ['eventId', 'type', 'occurredAt', 'data'],
  properties: { eventId: { type: 'string' }, type: { enum: ['payment_request.created'] }, occurredAt: { type: 'string' }, data: paymentRequestDoc },
} as const;
