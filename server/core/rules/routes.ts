// HTTP for the rule book, the holiday calendar and the approval chains (admin configures).
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { toDbTime } from '../../db/time';
import { defineRoutes } from '../../http/routes';
import { ConflictError, NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { DEFAULT_RULES, isRuleKey, loadRuleBook, type RuleDef } from './rule-book';
import { CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR, chinaYearMonth, loadCalendar, officialYears, storeConfirmation, unconfirmedYears, type WorkingCalendar } from './calendar';
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

const yearField = { type: 'integer', minimum: CALENDAR_MIN_YEAR, maximum: CALENDAR_MAX_YEAR } as const;

/** GET /api/calendar's answer: the year's days, its status, and the years still to confirm now. */
function calendarYear(cal: WorkingCalendar, year: number, now: Date) {
  const c = cal.confirmation(year);
  const announced = officialYears();
  return {
    year,
    status: cal.yearStatus(year),
    confirmation: c ? { confirmedAt: c.confirmedAt, confirmedBy: c.confirmedBy } : null,
    officialYears: { from: announced[0], to: announced[announced.length - 1] },
    days: cal.days(year),
    unconfirmedYears: unconfirmedYears(cal, now),
  };
}

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
      summary: "A year's holidays and working weekends (YYYY-MM-DD, China Standard Time), each with its name, source (official | provisional | city) and whether it is provisional",
      roles: 'authenticated',
      query: { type: 'object', additionalProperties: false, properties: { year: yearField } },
      handler: async ({ query, actor }) => {
        const now = actor.clock.now();
        const cal = await loadCalendar(db);
        return calendarYear(cal, query.year ?? chinaYearMonth(now).year, now);
      },
    },
    {
      method: 'put',
      path: '/api/calendar/:day',
      tag: 'rules',
      summary: 'Declare a day a holiday or a working day (the city’s own day wins over the built-in calendar, and is never provisional)',
      roles: ['admin'],
      params: { type: 'object', properties: { day: { type: 'string', format: 'date' } }, required: ['day'] },
      body: { type: 'object', additionalProperties: false, required: ['kind', 'name'], properties: { kind: { enum: ['holiday', 'workday'] }, name: { type: 'string', minLength: 1, maxLength: 100 }, nameEn: { type: 'string', minLength: 1, maxLength: 100 } } },
      handler: async ({ params, body, actor }) => {
        await withTx(db, async (tx) => {
          const before = (await loadCalendar(tx)).dayInfo(params.day);
          await tx('calendar_days').where({ day: params.day }).delete();
          await tx('calendar_days').insert({ day: params.day, kind: body.kind, name: body.name, name_en: body.nameEn ?? null });
          await record(tx, actor, { action: 'calendar.day_set', entityType: 'calendar_day', entityId: params.day, before, after: body });
        });
        return (await loadCalendar(db)).dayInfo(params.day);
      },
    },
    {
      method: 'post',
      path: '/api/calendar/:year/confirm',
      tag: 'rules',
      summary: "Confirm a provisional year's calendar as it stands (after correcting days with PUT /api/calendar/:day): its days stop being provisional",
      roles: ['admin'],
      params: { type: 'object', properties: { year: yearField }, required: ['year'] },
      body: { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 500 } } },
      status: 200,
      handler: async ({ params, body, actor }) => {
        const year = params.year as number;
        await withTx(db, async (tx) => {
          const cal = await loadCalendar(tx);
          const status = cal.yearStatus(year);
          if (status === 'official') throw new ConflictError('CALENDAR_YEAR_OFFICIAL', `The ${year} arrangement is the State Council's announced one; there is nothing to confirm`, { year });
          if (status === 'confirmed') throw new ConflictError('CALENDAR_YEAR_CONFIRMED', `The ${year} calendar is confirmed already`, { year, confirmedAt: cal.confirmation(year)!.confirmedAt });
          const now = actor.clock.now();
          await storeConfirmation(tx, year, now, actor.userId, cal.builtInDays(year));
          await record(tx, actor, { action: 'calendar.year_confirmed', entityType: 'calendar_year', entityId: year, before: { status }, after: { status: 'confirmed', note: body?.note ?? null, days: cal.days(year).map((d) => ({ day: d.day, kind: d.kind, name: d.nameZh, source: d.source })) } });
        });
        return calendarYear(await loadCalendar(db), year, actor.clock.now());
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
