// HTTP for the rule book, the holiday calendar and the approval chains (admin configures).
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { toDbTime } from '../../db/time';
import { defineRoutes } from '../../http/routes';
import { NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { DEFAULT_RULES, isRuleKey, loadRuleBook, type RuleDef } from './rule-book';
import { DEFAULT_CALENDAR } from './calendar';
import { METHOD_TABLE } from '../methods/rules';
import { chainFor, setChain } from '../approvals/chain';

const chainStep = {
  type: 'object',
  additionalProperties: false,
  required: ['nameZh', 'nameEn', 'approverRole', 'approverScope', 'timeLimitWorkingDays'],
  properties: {
    nameZh: { type: 'string', minLength: 1, maxLength: 100 },
    nameEn: { type: 'string', minLength: 1, maxLength: 100 },
    approverRole: { enum: ['approver', 'finance', 'operator'] },
    approverScope: { enum: ['own_unit', 'finance_bureau', 'procurement_centre'] },
    timeLimitWorkingDays: { type: 'integer', minimum: 1, maximum: 60 },
  },
};

export function ruleRoutes(db: Db) {
  return defineRoutes([
    {
      method: 'get',
      path: '/api/rules',
      tag: 'rules',
      summary: 'Every legal number the workflow enforces, with its source, and the method table',
      roles: 'authenticated',
      handler: async () => {
        const book = await loadRuleBook(db);
        return {
          rules: Object.entries(book).map(([key, r]) => ({ key, ...r, default: DEFAULT_RULES[key as keyof typeof DEFAULT_RULES].value })),
          methodTable: METHOD_TABLE.map((r) => ({ method: r.method, reason: r.reason })),
        };
      },
    },
    {
      method: 'put',
      path: '/api/rules/:key',
      tag: 'rules',
      summary: "Set the city's value for a rule (with the source of that value)",
      roles: ['admin'],
      params: { type: 'object', properties: { key: { type: 'string', maxLength: 64 } }, required: ['key'] },
      body: { type: 'object', additionalProperties: false, required: ['value', 'source'], properties: { value: { type: 'integer', minimum: 0, maximum: 9_000_000_000_000 }, source: { type: 'string', minLength: 2, maxLength: 255 } } },
      handler: async ({ params, body, actor }) => {
        if (!isRuleKey(params.key)) throw new NotFoundError(`No rule ${params.key}`, null, 'RULE_NOT_FOUND');
        if ((DEFAULT_RULES[params.key as keyof typeof DEFAULT_RULES] as RuleDef).unit === 'flag' && body.value > 1) throw new RuleError('RULE_FLAG_VALUE', 'This rule is a switch: 1 (on) or 0 (off)', { key: params.key });
        await withTx(db, async (tx) => {
          const before = (await loadRuleBook(tx))[params.key as keyof typeof DEFAULT_RULES];
          await tx('procurement_rule_settings').where({ rule_key: params.key }).delete();
          await tx('procurement_rule_settings').insert({ rule_key: params.key, value_json: JSON.stringify(body.value), source: body.source, updated_at: toDbTime(actor.clock.now()) });
          await record(tx, actor, { action: 'rule.configured', entityType: 'rule', entityId: params.key, before, after: body });
        });
        return { key: params.key, ...body };
      },
    },
    {
      method: 'get',
      path: '/api/calendar',
      tag: 'rules',
      summary: 'The holiday calendar: built-in days and the city’s own',
      roles: 'authenticated',
      handler: async () => {
        const own = await db('calendar_days').orderBy('day');
        return { builtIn: DEFAULT_CALENDAR.map(([day, kind, name]) => ({ day, kind, name })), city: own.map((r: any) => ({ day: r.day, kind: r.kind, name: r.name })) };
      },
    },
    {
      method: 'put',
      path: '/api/calendar/:day',
      tag: 'rules',
      summary: 'Declare a day a holiday or a working day',
      roles: ['admin'],
      params: { type: 'object', properties: { day: { type: 'string', format: 'date' } }, required: ['day'] },
      body: { type: 'object', additionalProperties: false, required: ['kind', 'name'], properties: { kind: { enum: ['holiday', 'workday'] }, name: { type: 'string', minLength: 1, maxLength: 100 } } },
      handler: async ({ params, body, actor }) => {
        await withTx(db, async (tx) => {
          await tx('calendar_days').where({ day: params.day }).delete();
          await tx('calendar_days').insert({ day: params.day, kind: body.kind, name: body.name });
          await record(tx, actor, { action: 'calendar.day_set', entityType: 'calendar_day', entityId: params.day, after: body });
        });
        return { day: params.day, ...body };
      },
    },
    {
      method: 'get',
      path: '/api/approval-chains/:orgId',
      tag: 'approvals',
      summary: "An organisation's approval chain (its own, the city default, or the built-in one)",
      roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'],
      params: { type: 'object', properties: { orgId: { type: 'integer', minimum: 1 } }, required: ['orgId'] },
      handler: ({ params }) => chainFor(db, params.orgId),
    },
    {
      method: 'put',
      path: '/api/approval-chains/:orgId',
      tag: 'approvals',
      summary: "Set an organisation's approval chain (orgId 0: the city default)",
      roles: ['admin'],
      params: { type: 'object', properties: { orgId: { type: 'integer', minimum: 0 } }, required: ['orgId'] },
      body: { type: 'object', additionalProperties: false, required: ['steps'], properties: { steps: { type: 'array', minItems: 1, maxItems: 10, items: chainStep } } },
      handler: async ({ params, body, actor }) => {
        await withTx(db, (tx) => setChain(tx, actor, params.orgId === 0 ? null : params.orgId, body.steps));
        return chainFor(db, params.orgId || -1);
      },
    },
  ]);
}
