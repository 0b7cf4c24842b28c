// Request schemas for the expert library.
const id = { type: 'integer', minimum: 1 } as const;
const code = { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Z][A-Z0-9]*$' } as const;
const text = (max: number, min = 1) => ({ type: 'string', minLength: min, maxLength: max }) as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullableId = { anyOf: [id, { type: 'null' }] } as const;

export const idParams = { type: 'object', properties: { id }, required: ['id'] } as const;
export const idSubParams = { type: 'object', properties: { id, sub: id }, required: ['id', 'sub'] } as const;

const profile = {
  name: text(64),
  employerName: text(200),
  employerOrgId: nullableId,
  employerSupplierId: nullableId,
  region: { type: 'string', pattern: '^[0-9]{6}$' },
  title: text(64),
  phone: { type: 'string', pattern: '^[0-9+\\- ]{7,20}$' },
  email: { type: 'string', format: 'email', maxLength: 128 },
  maxEvaluationsPerQuarter: { type: 'integer', minimum: 0, maximum: 100 },
  specialties: { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: code },
} as const;

const account = { type: 'object', additionalProperties: false, required: ['username', 'password'], properties: { username: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9_.-]{3,31}$' }, password: { type: 'string', minLength: 10, maxLength: 128 } } } as const;
export const accountBody = account;

export const enrolBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'employerName', 'region', 'title', 'phone', 'email', 'specialties'],
  properties: {
    ...profile,
    account,
  },
} as const;

export const updateBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: profile } as const;

export const ownUpdateBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { phone: profile.phone, email: profile.email, region: profile.region, title: profile.title },
} as const;

export const statusBody = { type: 'object', additionalProperties: false, required: ['status', 'reason'], properties: { status: { enum: ['active', 'suspended', 'disqualified'] }, reason: text(500) } } as const;

export const leaveBody = { type: 'object', additionalProperties: false, required: ['startsAt', 'endsAt', 'reason'], properties: { startsAt: time, endsAt: time, reason: text(200) } } as const;

export const conflictBody = {
  type: 'object',
  additionalProperties: false,
  required: ['relation', 'note'],
  properties: { orgId: id, supplierId: id, relation: { enum: ['relative', 'former_employer', 'litigation', 'other'] }, note: text(500), until: { anyOf: [time, { type: 'null' }] } },
} as const;

export const ratingBody = { type: 'object', additionalProperties: false, required: ['score'], properties: { score: { type: 'number', minimum: 0, maximum: 5, multipleOf: 0.001 }, comment: text(500) } } as const;

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 60 },
    specialty: { type: 'string', maxLength: 32 },
    status: { enum: ['active', 'suspended', 'disqualified'] },
    onLeave: { type: 'boolean' },
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
} as const;
