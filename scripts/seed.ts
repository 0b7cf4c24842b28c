// npm run seed — loads the demo city, and every module's demo data, into an empty database
// (or one whose earlier demo seed did not finish: that partial data is cleared first).
import { openFromEnv } from './cli';
import { ensureDemoCity } from '../db/seeds/first-start';
import { systemClock } from '../server/db/time';
import { createPlatform } from '../server/platform';
import { createLogger } from '../server/http/log';

const { config, db } = await openFromEnv();
const platform = createPlatform({ config, db, log: createLogger('warn'), autoStartScheduler: false });
try {
  const summary = await ensureDemoCity(db, systemClock, platform, createLogger('warn'));
  console.log(summary ? `demo data loaded: ${JSON.stringify(summary)}` : 'The database already holds data; demo seed skipped.');
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
await platform.close();
await db.destroy();
