// Request schemas for the competition API (they also build the OpenAPI document).
import { MAX_FEN } from './rules';
import { pageQuery } from '../../http/paging';

const id = { type: 'integer', minimum: 1, maximum: 2147483647 };
const nullableId = { anyOf: [id, { type: 'null' }] };
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' });

export const idParams = { type: 'object', properties: { id }, required: ['id'] };

export const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'lotDescription', 'quantity', 'unit', 'categoryCode', 'ceilingFen', 'decrementKind', 'decrementValue', 'startsAt', 'durationSec'],
  properties: {
    title: text(200),
    lotDescription: text(4000),
    quantity: { type: 'integer', minimum: 1, maximum: 10_000_000 },
    unit: text(16),
    categoryCode: text(32),
    ceilingFen: { type: 'integer', minimum: 100, maximum: MAX_FEN },
    decrementKind: { enum: ['absolute', 'percent'] },
    // absolute: fen; percent: basis points of the current best price (50 = 0.5 %), at most 20 %
    decrementValue: { type: 'integer', minimum: 1, maximum: MAX_FEN },
    startsAt: { type: 'string', format: 'date-time' },
    durationSec: { type: 'integer', minimum: 60, maximum: 7 * 86400 },
    extensionSec: { type: 'integer', minimum: 0, maximum: 3600, default: 60 },
    maxExtensionSec: { anyOf: [{ type: 'integer', minimum: 0, maximum: 86400 }, { type: 'null' }], default: null },
    visibility: { enum: ['best_price', 'ladder', 'rank_only'], default: 'best_price' },
    minSuppliers: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    minBrands: { type: 'integer', minimum: 1, maximum: 100, default: 3 },
    orgId: nullableId,
    requisitionId: nullableId,
    projectId: nullableId,
    announce: { type: 'boolean', default: true },
  },
  if: { properties: { decrementKind: { const: 'percent' } } },
  then: { properties: { decrementValue: { maximum: 2000 } } },
};

export const joinBody = {
  type: 'object',
  additionalProperties: false,
  required: ['brand', 'model'],
  properties: { brand: text(100), model: text(100), deviceId: { type: 'string', minLength: 1, maxLength: 64 } },
};

export const reasonBody = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(500) } };

export const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { status: { enum: ['draft', 'announced', 'running', 'suspended', 'closed', 'failed'] }, mine: { type: 'boolean' }, ...pageQuery },
};

const auction = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    code: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'string' },
    ceilingFen: { type: 'integer' },
    startsAt: { type: 'string' },
    endsAt: { type: ['string', 'null'] },
  },
};
export const auctionResponse = auction;
