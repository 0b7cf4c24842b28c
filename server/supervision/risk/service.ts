// The risk points register (廉政风险点): per post and process, with the rules that watch them;
// alerts are linked to a risk point from the alert (AlertService.linkRiskPoint).
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { forUpdate } from '../../db/knex';
import { isoFromDb, toDbTime } from '../../db/time';
import { isUniqueViolation } from '../../db/errors';
import { record } from '../audit/audit';
import type { Actor } from '../../http/actor';
import { ConflictError, NotFoundError, ValidationError } from '../../http/errors';
import { RULES_BY_CODE } from '../rules/catalogue';

export interface RiskPointInput {
  code: string;
  post: string;
  process: string;
  title: string;
  description: string;
  level: 'low' | 'medium' | 'high';
  controls: string;
}

export class RiskPointService {
  constructor(private db: Db) {}

  async list(filter: { status?: string; post?: string; process?: string }) {
    const q = this.db('sv_risk_points').orderBy('code');
    if (filter.status) q.where('status', filter.status);
    if (filter.post) q.where('post', filter.post);
    if (filter.process) q.where('process', filter.process);
    const rows = await q;
    const links = rows.length ? await this.db('sv_risk_point_rules').whereIn('risk_point_id', rows.map((r: any) => r.id)) : [];
    const counts = rows.length ? await this.db('sv_alerts').whereIn('risk_point_id', rows.map((r: any) => r.id)).select('risk_point_id', 'status').count({ n: '*' }).groupBy('risk_point_id', 'status') : [];
    return rows.map((r: any) => this.fromRow(r, links, counts));
  }

  private fromRow(r: any, links: any[], counts: any[]) {
    const mine = counts.filter((c) => Number(c.risk_point_id) === Number(r.id));
    return {
      id: Number(r.id),
      code: r.code,
      post: r.post,
      process: r.process,
      title: r.title,
      description: r.description,
      level: r.level,
      controls: r.controls,
      status: r.status,
      rules: links.filter((l) => Number(l.risk_point_id) === Number(r.id)).map((l) => l.rule_code).sort(),
      alerts: { total: mine.reduce((s, c) => s + Number(c.n), 0), open: mine.filter((c) => c.status !== 'closed').reduce((s, c) => s + Number(c.n), 0) },
      createdAt: isoFromDb(r.created_at),
      updatedAt: isoFromDb(r.updated_at),
    };
  }

  async get(id: number) {
    const r = await this.db('sv_risk_points').where({ id }).first();
    if (!r) throw new NotFoundError(`Risk point ${id} not found`, null, 'RISK_POINT_NOT_FOUND');
    const links = await this.db('sv_risk_point_rules').where({ risk_point_id: id });
    const counts = await this.db('sv_alerts').where({ risk_point_id: id }).select('risk_point_id', 'status').count({ n: '*' }).groupBy('risk_point_id', 'status');
    return this.fromRow(r, links, counts);
  }

  async create(actor: Actor, input: RiskPointInput, ruleCodes: string[] = []) {
    this.checkRules(ruleCodes);
    try {
      const id = await withTx(this.db, async (tx) => {
        const now = toDbTime(actor.clock.now());
        const [id] = await tx('sv_risk_points').insert({ ...input, status: 'active', created_by: actor.userId, created_at: now, updated_at: now });
        for (const code of new Set(ruleCodes)) await tx('sv_risk_point_rules').insert({ risk_point_id: id, rule_code: code });
        await record(tx, actor, { action: 'risk_point.created', entityType: 'risk_point', entityId: id, after: { ...input, rules: [...new Set(ruleCodes)].sort() } });
        return Number(id);
      });
      return this.get(id);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('RISK_POINT_CODE_TAKEN', `Risk point code ${input.code} is already used`);
      throw err;
    }
  }

  async update(actor: Actor, id: number, patch: Partial<RiskPointInput> & { status?: 'active' | 'retired' }) {
    await withTx(this.db, async (tx) => {
      const cur = await forUpdate(tx, tx('sv_risk_points').where({ id })).first();
      if (!cur) throw new NotFoundError(`Risk point ${id} not found`, null, 'RISK_POINT_NOT_FOUND');
      const { code: _c, ...rest } = patch as any;
      await tx('sv_risk_points').where({ id }).update({ ...rest, updated_at: toDbTime(actor.clock.now()) });
      const before = Object.fromEntries(Object.keys(rest).map((k) => [k, cur[k]]));
      await record(tx, actor, { action: 'risk_point.updated', entityType: 'risk_point', entityId: id, before, after: rest });
    });
    return this.get(id);
  }

  async setRules(actor: Actor, id: number, ruleCodes: string[]) {
    this.checkRules(ruleCodes);
    await withTx(this.db, async (tx) => {
      const cur = await forUpdate(tx, tx('sv_risk_points').where({ id })).first();
      if (!cur) throw new NotFoundError(`Risk point ${id} not found`, null, 'RISK_POINT_NOT_FOUND');
      const before = (await tx('sv_risk_point_rules').where({ risk_point_id: id })).map((r: any) => r.rule_code).sort();
      // Links (not evidence) may be replaced; the audit event keeps the previous set.
      await tx('sv_risk_point_rules').where({ risk_point_id: id }).del();
      const next = [...new Set(ruleCodes)].sort();
      for (const code of next) await tx('sv_risk_point_rules').insert({ risk_point_id: id, rule_code: code });
      await record(tx, actor, { action: 'risk_point.rules_linked', entityType: 'risk_point', entityId: id, before: { rules: before }, after: { rules: next } });
    });
    return this.get(id);
  }

  private checkRules(codes: string[]) {
    const unknown = codes.filter((c) => !RULES_BY_CODE.has(c));
    if (unknown.length) throw new ValidationError('Unknown rule codes', { unknown }, 'RULE_NOT_FOUND');
  }
}
