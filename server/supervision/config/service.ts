// Rule settings: defaults from the catalogue, a supervisor's changes stored in sv_rule_settings,
// every change audited. The engine reads the effective settings on each batch of events.
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { toDbTime, isoFromDb } from '../../db/time';
import { record } from '../audit/audit';
import type { Actor } from '../../http/actor';
import { NotFoundError, ValidationError } from '../../http/errors';
import { RULES, RULES_BY_CODE, SEVERITIES, type RuleDef, type Severity, type ThresholdValue } from '../rules/catalogue';

export interface RuleSetting {
  code: string;
  family: RuleDef['family'];
  nameZh: string;
  nameEn: string;
  definitionZh: string;
  definitionEn: string;
  actions: string[];
  enabled: boolean;
  severity: Severity;
  thresholds: Record<string, ThresholdValue>;
  defaults: { severity: Severity; thresholds: Record<string, ThresholdValue> };
  updatedAt: string | null;
  updatedBy: number | null;
}

function merge(def: RuleDef, row: any | undefined): RuleSetting {
  const stored = row ? (JSON.parse(row.thresholds_json) as Record<string, ThresholdValue>) : {};
  const thresholds: Record<string, ThresholdValue> = {};
  for (const k of Object.keys(def.thresholds)) thresholds[k] = k in stored ? stored[k] : def.thresholds[k];
  return {
    code: def.code,
    family: def.family,
    nameZh: def.nameZh,
    nameEn: def.nameEn,
    definitionZh: def.definitionZh,
    definitionEn: def.definitionEn,
    actions: def.actions,
    enabled: row ? Boolean(row.enabled) : true,
    severity: (row?.severity as Severity) ?? def.severity,
    thresholds,
    defaults: { severity: def.severity, thresholds: def.thresholds },
    updatedAt: row ? isoFromDb(row.updated_at) : null,
    updatedBy: row?.updated_by ?? null,
  };
}

/** A threshold must keep its default's shape: a number stays a number (or null where the default computes a fence)... */
export function checkThresholds(def: RuleDef, input: Record<string, unknown>): Record<string, ThresholdValue> {
  const out: Record<string, ThresholdValue> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!(k in def.thresholds)) throw new ValidationError(`Rule ${def.code} has no threshold ${k}`, { threshold: k, known: Object.keys(def.thresholds) }, 'UNKNOWN_THRESHOLD');
    const d = def.thresholds[k];
    const bad = () => new ValidationError(`Threshold ${k} of rule ${def.code} has the wrong type`, { threshold: k }, 'THRESHOLD_TYPE');
    if (d === null || typeof d === 'number') {
      if (v === null && d === null) out[k] = null;
      else if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[k] = v;
      else throw bad();
    } else if (typeof d === 'boolean') {
      if (typeof v !== 'boolean') throw bad();
      out[k] = v;
    } else if (Array.isArray(d)) {
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length <= 64)) throw bad();
      out[k] = v as string[];
    } else {
      if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'number' && x >= 0)) throw bad();
      out[k] = v as Record<string, number>;
    }
  }
  return out;
}

export class RuleSettingsService {
  constructor(private db: Db) {}

  async all(): Promise<RuleSetting[]> {
    const rows = await this.db('sv_rule_settings').select();
    const byCode = new Map(rows.map((r: any) => [r.rule_code, r]));
    return RULES.map((d) => merge(d, byCode.get(d.code)));
  }

  async get(code: string): Promise<RuleSetting> {
    const def = RULES_BY_CODE.get(code);
    if (!def) throw new NotFoundError(`No rule ${code}`, null, 'RULE_NOT_FOUND');
    return merge(def, await this.db('sv_rule_settings').where({ rule_code: code }).first());
  }

  async update(actor: Actor, code: string, patch: { enabled?: boolean; severity?: Severity; thresholds?: Record<string, unknown> }): Promise<RuleSetting> {
    const def = RULES_BY_CODE.get(code);
    if (!def) throw new NotFoundError(`No rule ${code}`, null, 'RULE_NOT_FOUND');
    if (patch.severity && !SEVERITIES.includes(patch.severity)) throw new ValidationError('Unknown severity', null, 'SEVERITY_UNKNOWN');
    const checked = checkThresholds(def, patch.thresholds ?? {});
    return withTx(this.db, async (tx) => {
      const row = await tx('sv_rule_settings').where({ rule_code: code }).first();
      const before = merge(def, row);
      const thresholds = { ...before.thresholds, ...checked };
      const next = {
        rule_code: code,
        enabled: patch.enabled ?? before.enabled,
        severity: patch.severity ?? before.severity,
        thresholds_json: JSON.stringify(thresholds),
        updated_by: actor.userId,
        updated_at: toDbTime(actor.clock.now()),
      };
      if (row) await tx('sv_rule_settings').where({ rule_code: code }).update(next);
      else await tx('sv_rule_settings').insert(next);
      await record(tx, actor, {
        action: 'rule_setting.updated',
        entityType: 'rule_setting',
        entityId: code,
        before: { enabled: before.enabled, severity: before.severity, thresholds: before.thresholds },
        after: { enabled: next.enabled, severity: next.severity, thresholds },
      });
      return merge(def, { ...next, enabled: next.enabled ? 1 : 0 });
    });
  }
}
