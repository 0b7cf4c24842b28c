// The OCDS schemas ship with the server (server/supervision/ocds/schema); they must stay the
// official ones. Compared with the reference set in ../shared/ocds, where that is present.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { OCDS_SCHEMA_DIR, ocdsValidators } from '../../server/supervision/ocds/validate';

const REFERENCE = path.resolve(process.cwd(), '../shared/ocds');
const FILES = [
  'release-schema.json',
  'versioned-release-validation-schema.json',
  'record-package-schema.json',
  'release-package-schema.json',
  'extensions/bids/release-schema.json',
  'extensions/auction/release-schema.json',
];

describe('vendored OCDS schemas', () => {
  it('are all present and compile', () => {
    for (const f of FILES) expect(fs.existsSync(path.join(OCDS_SCHEMA_DIR, f)), f).to.equal(true);
    const v = ocdsValidators();
    expect(v.releasePackage).to.be.a('function');
    expect(v.recordPackage).to.be.a('function');
  });

  it('are byte-identical to the reference copies in ../shared/ocds', function () {
    if (!fs.existsSync(REFERENCE)) this.skip(); // a checkout without the reference data beside it
    for (const f of FILES) expect(fs.readFileSync(path.join(OCDS_SCHEMA_DIR, f)).equals(fs.readFileSync(path.join(REFERENCE, f))), f).to.equal(true);
  });
});
