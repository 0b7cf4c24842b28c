// npm run seed — loads the demo city, and every module's demo data, into an empty database.
import { openFromEnv } from './cli';
import { isEmpty, seedDemo } from '../db/seeds/demo';
import { systemClock } from '../server/db/time';
import { createPlatform } from '../server/platform';
import { createLogger } from '../server/http/log';

const { config, db } = await openFromEnv();
if (!(await isEmpty(db))) {
  console.log('The database already holds data; demo seed skipped.');
} else {
  const summary = await seedDemo(db, systemClock);
  const platform = createPlatform({ config, db, log: createLogger('warn'), autoStartScheduler: false });
  await platform.seedModules();
  await platform.close();
  console.log('demo data loaded:', JSON.stringify(summary));
}
await db.destroy();
