// Notice titles published before the titles were composed without repeating the procedure's word
// ("台式计算机网上竞价网上竞价公告") are said once ("台式计算机网上竞价公告"). Only the title changes;
// the notice's text and dates stay as published. Not undone: the doubled form was a mistake.
import type { Knex } from 'knex';
import { PROCEDURE_WORDS, undoubledTitleZh } from '../../server/core/notices/title';

export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('notices'))) return;
  const rows = await knex('notices')
    .where((q) => {
      for (const w of PROCEDURE_WORDS) q.orWhere('title_zh', 'like', `%${w}${w}%`).orWhere('title_zh', 'like', `%${w} ${w}%`);
    })
    .select('id', 'title_zh');
  for (const r of rows) {
    const fixed = undoubledTitleZh(r.title_zh);
    if (fixed !== r.title_zh) await knex('notices').where({ id: r.id }).update({ title_zh: fixed });
  }
}

export async function down(): Promise<void> {
  // Nothing to undo.
}
