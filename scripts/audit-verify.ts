// npm run audit:verify — walks the audit hash chain; exit 0 when intact, 1 at the first broken link.
import { openFromEnv } from './cli';
import { verifyChain } from '../server/supervision/audit/audit';

const { db } = await openFromEnv();
const result = await verifyChain(db);
await db.destroy();
if (result.intact) {
  console.log(`chain intact, ${result.events} events`);
} else {
  const b = result.brokenAt!;
  console.log(`chain broken at event ${b.seq} (row id ${b.id}): ${b.reason}; ${result.events} events verified before it`);
  process.exit(1);
}
