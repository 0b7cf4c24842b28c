// The OCDS merge routine used for compiled releases, and the release builder's method mapping.
import { expect } from 'chai';
import { compileRelease } from '../../server/supervision/ocds/compile';
import { METHOD_DETAILS, ocidOf } from '../../server/supervision/ocds/build';
import { METHODS } from '../../server/core/methods/rules';
import { pickCube } from '../../server/supervision/reports/queries';

describe('OCDS compiled release', () => {
  it('merges objects field by field and arrays of objects by id, in date order', () => {
    const a = { ocid: 'ocds-x-1', id: 'r1', date: '2026-01-01T00:00:00Z', tag: ['tender'], tender: { id: 't', status: 'active', items: [{ id: '1', quantity: 2 }], submissionMethod: ['electronicSubmission'] } };
    const b = { ocid: 'ocds-x-1', id: 'r2', date: '2026-02-01T00:00:00Z', tag: ['award'], tender: { status: 'complete', items: [{ id: '1', quantity: 3 }, { id: '2', quantity: 1 }] }, awards: [{ id: 'a1', status: 'active' }] };
    const c = compileRelease([b, a]);
    expect(c.tag).to.deep.equal(['compiled']);
    expect(c.date).to.equal('2026-02-01T00:00:00Z');
    expect(c.tender).to.deep.equal({ id: 't', status: 'complete', items: [{ id: '1', quantity: 3 }, { id: '2', quantity: 1 }], submissionMethod: ['electronicSubmission'] });
    expect(c.awards).to.deep.equal([{ id: 'a1', status: 'active' }]);
    expect(c.id).to.equal('ocds-x-1-compiled-2026-02-01T00:00:00Z');
  });

  it('maps every method to the closed procurementMethod codelist', () => {
    for (const m of METHODS) expect(['open', 'selective', 'limited', 'direct']).to.include(METHOD_DETAILS[m].method);
    expect(METHOD_DETAILS.online_price_competition.details).to.equal('Online price competition (网上竞价)');
    expect(ocidOf('PRJ-2026-0001')).to.match(/^ocds-[a-z0-9]{6}-PRJ-2026-0001$/);
  });

  it('reads the smallest cube holding every grouped and filtered column', () => {
    const cubes: Array<[string, string[]]> = [['small', ['month', 'method']], ['mid', ['month', 'method', 'org_id']], ['full', ['month', 'method', 'org_id', 'category_code']]];
    expect(pickCube(cubes, ['method'], {})).to.equal('small');
    expect(pickCube(cubes, ['method'], { from: '2026-01' })).to.equal('small');
    expect(pickCube(cubes, ['method'], { orgId: 3 })).to.equal('mid');
    expect(pickCube(cubes, ['org_id'], { category: 'A02' })).to.equal('full');
  });
});
