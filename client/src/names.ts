// What the server sends as keys, shown by name in the user's language: roles, entity types,
// audit actions, workflow stages and methods, approval step names (client/src/views/names/messages.ts).
import { t, locale } from './i18n';

const has = (key: string) => t(key) !== key;
/** The first of the keys that has a message, else the value itself (a walk test catches that). */
export function nameOf(value: string, keys: string[]): string {
  for (const k of keys) if (has(k)) return t(k);
  return value;
}

// A scheduled job acts as 'system:<job>' (server/http/actor.ts): the system, whichever job it was.
export const roleName = (r: string) => nameOf(r.startsWith('system:') ? 'system' : r, [`role.${r}`, `name.role.${r}`, ...(r.startsWith('system:') ? ['name.role.system'] : [])]);
export const entityName = (type: string) => nameOf(type, [`name.entity.${type}`]);
export const stageName = (s: string) => nameOf(s, [`workflow.stage.${s}`, `reports.stage.${s}`]);
export const methodName = (m: string) => nameOf(m, [`workflow.method.${m}`, `reports.method.${m}`, `tendering.method.${m}`]);

/** 'alert.closed' → 预警已关闭; 'tender.evaluation.started' → 招标评标已开始. */
export function actionName(action: string): string {
  const parts = action.split('.');
  const verb = parts.pop()!;
  const entity = parts.map((p) => entityName(p)).join(locale() === 'en' ? ' ' : '');
  const v = nameOf(verb, [`name.verb.${verb}`]);
  return t('name.action', { entity, verb: v });
}

/** An entity reference: 'expert_draw', '1' → 专家抽取 #1. */
export const entityRef = (type: string, id: string | number) => t('name.ref', { entity: entityName(type), ref: `#${id}` });

/** A step name the server recorded in English (the default approval chain) in the user's language. */
export function stepName(step: string): string {
  // A project's time limit that runs from one stage until another: contract_by_acceptance.
  const by = /^([a-z_]+?)_by_([a-z_]+)$/.exec(step);
  if (by) return t('name.stepBy', { stage: stageName(by[1]), until: stageName(by[2]) });
  return nameOf(step, [`name.step.${step.toLowerCase().replace(/\s+/g, '-')}`, `workflow.stage.${step}`, `name.entity.${step}`]);
}
