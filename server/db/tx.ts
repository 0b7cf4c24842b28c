// Transactions with after-commit hooks: WebSocket broadcasts, notifications and other
// announcements run only once the data they announce is committed (never for a rollback).
import type { Knex } from 'knex';
import type { Db } from './knex';
import { isDeadlock } from './errors';
import type { DbClient } from '../config';

export type Tx = Knex.Transaction & { dialect: DbClient; afterCommit(fn: () => void | Promise<void>): void };

export async function withTx<T>(db: Db, work: (tx: Tx) => Promise<T>, opts: { retries?: number } = {}): Promise<T> {
  const retries = opts.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const hooks: Array<() => void | Promise<void>> = [];
    try {
      const result = await db.transaction(async (trx) => {
        const tx = Object.assign(trx, { dialect: db.dialect, afterCommit: (fn: () => void | Promise<void>) => hooks.push(fn) }) as Tx;
        return work(tx);
      });
      for (const fn of hooks) {
        try {
          await fn();
        } catch (err) {
          // The data is committed; a failing announcement must not turn success into an error.
          console.error('after-commit hook failed:', (err as Error).message);
        }
      }
      return result;
    } catch (err) {
      if (isDeadlock(err) && attempt < retries) {
        // Apart, after a random pause: transactions that deadlocked together and began again at
        // once would meet again in the same order.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
        continue;
      }
      throw err;
    }
  }
}
