// Request schemas for supplier invitations (draws and prequalification).
const id = { type: 'integer', minimum: 1 } as const;

export const idParams = { type: 'object', properties: { id }, required: ['id'] } as const;
export const applicationParams = { type: 'object', properties: { id, supplierId: id }, required: ['id', 'supplierId'] } as const;

export const invitationDrawBody = {
  type: 'object',
  additionalProperties: false,
  required: ['count'],
  properties: {
    count: { type: 'integer', minimum: 1, maximum: 50 },
    // Suppliers the unit may not invite (a conflict declared, a related party); audited as a count.
    excludeSupplierIds: { type: 'array', maxItems: 200, items: id },
    // When the list is revealed; defaults to the earliest legal bid deadline and moves to the
    // tender's bid deadline when the documents go out.
    revealAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const prequalificationBody = {
  type: 'object',
  additionalProperties: false,
  required: ['deadlineAt', 'conditions'],
  properties: { deadlineAt: { type: 'string', format: 'date-time' }, conditions: { type: 'string', minLength: 2, maxLength: 4000 } },
} as const;

export const applyBody = { type: 'object', additionalProperties: false, required: ['statement'], properties: { statement: { type: 'string', minLength: 2, maxLength: 4000 } } } as const;

export const decisionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['qualified'],
  properties: { qualified: { type: 'boolean' }, reason: { type: 'string', maxLength: 2000 } },
} as const;
