// npm run ocds:export -- 2026 [outDir] — writes every OCDS release published in a year (China
// Standard Time) as release packages of up to 1,000 releases (ocds-<year>-0001.json, ...),
// streamed a page at a time, plus the record packages for the year's processes (one JSON
// Lines file, one record package per line). Each file is validated before it is kept.
import fs from 'node:fs';
import path from 'node:path';
import { openFromEnv } from './cli';
import { systemClock, toDbTime } from '../server/db/time';
import { releasePackage } from '../server/supervision/ocds/build';
import { recordPackage } from '../server/supervision/ocds/routes';
import { publicBaseUrl } from '../server/supervision/ocds/publish';
import { ocdsValidators } from '../server/supervision/ocds/validate';

const year = Number(process.argv[2]);
if (!Number.isInteger(year) || year < 2000 || year > 2100) {
  console.error('usage: npm run ocds:export -- <year> [outDir]');
  process.exit(2);
}
const outDir = path.resolve(process.argv[3] ?? `ocds-${year}`);
fs.mkdirSync(outDir, { recursive: true });
const { db } = await openFromEnv();
const { releasePackage: validRelease, recordPackage: validRecord } = ocdsValidators();
const from = toDbTime(new Date(`${year}-01-01T00:00:00+08:00`));
const to = toDbTime(new Date(`${year + 1}-01-01T00:00:00+08:00`));
const PAGE = 1000;
let lastId = 0;
let files = 0;
let releases = 0;
for (;;) {
  const rows = await db('ocds_releases').where('release_date', '>=', from).where('release_date', '<', to).where('id', '>', lastId).orderBy('id').limit(PAGE).select('id', 'json');
  if (!rows.length) break;
  lastId = rows[rows.length - 1].id;
  files++;
  const name = `ocds-${year}-${String(files).padStart(4, '0')}.json`;
  const pkg = releasePackage(rows.map((r: any) => JSON.parse(r.json)), { baseUrl: publicBaseUrl(), uri: `${publicBaseUrl()}/open-data/${name}`, publishedDate: systemClock.now().toISOString() });
  if (!validRelease(pkg)) throw new Error(`${name} does not validate: ${JSON.stringify(validRelease.errors).slice(0, 500)}`);
  fs.writeFileSync(path.join(outDir, name), JSON.stringify(pkg));
  releases += rows.length;
  await new Promise((r) => setImmediate(r));
}
const ocids: string[] = await db('ocds_releases').where('release_date', '>=', from).where('release_date', '<', to).distinct('ocid').orderBy('ocid').pluck('ocid');
const out = fs.createWriteStream(path.join(outDir, `ocds-${year}-records.jsonl`));
for (const ocid of ocids) {
  const pkg = await recordPackage(db, systemClock, ocid);
  if (!validRecord(pkg)) throw new Error(`record ${ocid} does not validate: ${JSON.stringify(validRecord.errors).slice(0, 500)}`);
  if (!out.write(JSON.stringify(pkg) + "\n")) await new Promise<void>((r) => out.once("drain", () => r()));
}
await new Promise<void>((r) => out.end(() => r()));
await db.destroy();
console.log(JSON.stringify({ year, outDir, releasePackages: files, releases, records: ocids.length }));
