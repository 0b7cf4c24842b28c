// Request schemas for the supplier library.
const id = { type: 'integer', minimum: 1 } as const;
const code = { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Z][A-Z0-9]*$' } as const;
const text = (max: number, min = 1) => ({ type: 'string', minLength: min, maxLength: max }) as const;
const phone = { type: 'string', pattern: '^[0-9+\\- ]{7,20}$' } as const;
const email = { type: 'string', format: 'email', maxLength: 128 } as const;
const date = { type: 'string', format: 'date' } as const;

export const idParams = { type: 'object', properties: { id }, required: ['id'] } as const;
export const idSubParams = { type: 'object', properties: { id, sub: id }, required: ['id', 'sub'] } as const;

export const contactSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'position', 'phone', 'email'],
  properties: { name: text(64), position: text(64), phone, email },
} as const;

export const brandSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['categoryCode', 'brand', 'model'],
  properties: { categoryCode: code, brand: text(100), model: text(100) },
} as const;

export const qualificationsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'creditCode', 'legalRep', 'size', 'categories', 'brands'],
  properties: {
    name: text(200, 2),
    creditCode: { type: 'string', minLength: 18, maxLength: 18 },
    legalRep: text(64),
    size: { enum: ['micro', 'small', 'medium', 'large'] },
    registeredCapitalWan: { anyOf: [{ type: 'integer', minimum: 0, maximum: 100000000 }, { type: 'null' }] },
    categories: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: code },
    brands: { type: 'array', maxItems: 200, items: brandSchema },
  },
} as const;

export const contactDetailsSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address', 'region', 'contacts'],
  properties: {
    address: text(255),
    region: { type: 'string', pattern: '^[0-9]{6}$' },
    website: { anyOf: [{ type: 'string', format: 'uri', maxLength: 200 }, { type: 'null' }] },
    contacts: { type: 'array', minItems: 1, maxItems: 10, items: contactSchema },
  },
} as const;

export const registrationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['qualifications', 'details', 'account'],
  properties: {
    qualifications: qualificationsSchema,
    details: contactDetailsSchema,
    account: {
      type: 'object',
      additionalProperties: false,
      required: ['username', 'password', 'displayName'],
      properties: { username: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_.-]{3,31}$' }, password: { type: 'string', minLength: 10, maxLength: 128 }, displayName: text(100) },
    },
  },
} as const;

export const reviewBody = {
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: { decision: { enum: ['approve', 'reject', 'request_more'] }, reason: text(1000) },
} as const;

export const changeReviewBody = {
  type: 'object',
  additionalProperties: false,
  required: ['decision'],
  properties: { decision: { enum: ['approve', 'reject'] }, reason: text(1000) },
} as const;

export const creditRecordBody = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'description', 'source', 'occurredOn'],
  properties: {
    kind: { enum: ['false_documents', 'collusion', 'breach_of_contract', 'late_delivery', 'quality', 'other'] },
    description: text(1000),
    source: text(200),
    occurredOn: date,
  },
} as const;

export const blacklistBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'source', 'startsAt', 'endsAt'],
  properties: { reason: text(500), source: text(200), startsAt: { type: 'string', format: 'date-time' }, endsAt: { type: 'string', format: 'date-time' } },
} as const;

export const liftBody = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(500) } } as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 60 },
    status: { enum: ['pending', 'approved', 'rejected', 'more_info'] },
    category: { type: 'string', maxLength: 32 },
    pendingChanges: { type: 'boolean' },
    blacklisted: { type: 'boolean' },
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
} as const;
