import { expect } from 'chai';
import fs from 'node:fs';
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { openDb, type Db } from '../../server/db/knex';
import { parseEnv } from '../../server/config';
import { withTx } from '../../server/db/tx';

describe(`DATABASE_URL ?socket=: the database server's Unix socket (${TEST_DIALECT})`, function () {
  let t: TestDb;
  let socket: string | null = null;
  before(async function () {
    if (TEST_DIALECT !== 'mysql') return this.skip(); // SQLite is a file: there is no server to reach
    t = await createTestDb();
    socket = String((await t.db.raw('SELECT @@socket AS s'))[0][0].s || '');
    if (!socket || !fs.existsSync(socket)) {
      await t.destroy();
      return this.skip(); // the server listens on no socket this process can open
    }
  });
  after(async () => t?.destroy());

  it('connects through the socket (the server sees a local, not a TCP, client) and reads and writes the same database', async () => {
    const url = new URL(t.databaseUrl!);
    url.hostname = 'localhost';
    url.port = '';
    url.searchParams.set('socket', socket!);
    const config = parseEnv({ DATABASE_URL: url.toString() });
    const viaSocket: Db = openDb({ dbClient: 'mysql', databaseUrl: config.databaseUrl, dataDir: t.dataDir });
    try {
      const me = (await viaSocket.raw('SELECT HOST AS host FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()'))[0][0];
      expect(me.host).to.equal('localhost'); // a TCP client shows as 127.0.0.1:<port>
      const over = (await t.db.raw('SELECT HOST AS host FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()'))[0][0];
      expect(over.host).to.match(/:\d+$/);
      await withTx(viaSocket, (tx) => tx('platform_probe').insert({ id: 424242, probed_at: '2026-01-01 00:00:00.000' }));
      expect(await t.db('platform_probe').where({ id: 424242 }).first()).to.not.equal(undefined);
    } finally {
      await viaSocket.destroy();
    }
  });
});
