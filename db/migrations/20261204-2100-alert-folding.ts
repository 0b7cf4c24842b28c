// Repeated acts fold into one alert: the same rule, subject and actor within the rule's window
// raise the count on the open alert (occurrences, last seen) instead of a new row. A later
// occurrence outside the window is a new alert, so "one per rule and subject" becomes one per
// rule, subject and occurrence key ('' for alerts on a state, the first occurrence for acts).
import type { Knex } from 'knex';
import { utc } from '../../server/db/schema';
import { allowDeletes, forbidDeletes } from '../../server/db/guards';

export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasColumn('sv_alerts', 'occurrences')) return;
  await knex.schema.alterTable('sv_alerts', (t) => {
    t.integer('actor_id').unsigned().nullable(); // the user whose act raised it (no FK: system actors too)
    t.string('occurrence_key', 40).notNullable().defaultTo('');
    t.integer('occurrences').notNullable().defaultTo(1);
    utc(t, 'last_seen_at').nullable();
    t.bigInteger('last_trigger_seq').nullable(); // the newest event folded in (a replay never counts twice)
  });
  await knex.schema.alterTable('sv_alerts', (t) => {
    t.dropUnique(['rule_code', 'subject_key']);
    t.unique(['rule_code', 'subject_key', 'occurrence_key'], { indexName: 'sv_alerts_rule_subject_occurrence_unique' });
    t.index(['rule_code', 'subject_key', 'actor_id'], 'sv_alerts_rule_subject_actor_index');
  });
  await knex('sv_alerts').update({ last_seen_at: knex.ref('raised_at'), last_trigger_seq: knex.ref('trigger_seq') });
}

export async function down(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('sv_alerts', 'occurrences'))) return;
  await knex.schema.alterTable('sv_alerts', (t) => {
    t.dropIndex(['rule_code', 'subject_key', 'actor_id'], 'sv_alerts_rule_subject_actor_index');
    t.dropUnique(['rule_code', 'subject_key', 'occurrence_key'], 'sv_alerts_rule_subject_occurrence_unique');
    t.unique(['rule_code', 'subject_key']);
  });
  // SQLite drops columns by rebuilding the table, which drops its trigger: set it again.
  await allowDeletes(knex, 'sv_alerts');
  await knex.schema.alterTable('sv_alerts', (t) => {
    t.dropColumn('actor_id');
    t.dropColumn('occurrence_key');
    t.dropColumn('occurrences');
    t.dropColumn('last_seen_at');
    t.dropColumn('last_trigger_seq');
  });
  await forbidDeletes(knex, 'sv_alerts');
}
