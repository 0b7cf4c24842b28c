// The holiday calendar over HTTP: a year's days with name, source and provisional flag; the
// from-1-November notice on the admin's calendar and the supervision board; deadlines counted over
// provisional days marked on projects and requisitions; an admin correcting a day and confirming
// a provisional year (audited).
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { approveAll, cast, item, ok, raise } from './workflow-helpers';

const cst = (local: string) => new Date(`${local}+08:00`);

describe(`holiday calendar over every year (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  const clock = new ManualClock(cst('2026-11-02T09:00:00').getTime());
  before(async () => (s = await startTestServer({ clock })));
  after(async () => s?.stop());

  it("lists a year's holidays and working weekends with name, source and provisional flag", async () => {
    const admin = await s.as('admin');
    const purchaser = await s.as('purchaser');
    const y2026 = await ok(purchaser.get('/api/calendar?year=2026'));
    expect(y2026).to.include({ year: 2026, status: 'official', confirmation: null });
    expect(y2026.officialYears).to.deep.equal({ from: 2002, to: 2026 });
    const byDay = new Map(y2026.days.map((d: any) => [d.day, d]));
    expect(byDay.get('2026-02-15')).to.deep.equal({ day: '2026-02-15', kind: 'holiday', nameZh: '春节', nameEn: 'Spring Festival', source: 'official', provisional: false });
    expect(byDay.get('2026-02-14')).to.include({ kind: 'workday', source: 'official', provisional: false });
    expect(byDay.get('2026-02-28')).to.include({ kind: 'workday' });
    expect(y2026.days.every((d: any) => /^2026-\d\d-\d\d$/.test(d.day))).to.equal(true);

    const y2027 = await ok(admin.get('/api/calendar?year=2027'));
    expect(y2027.status).to.equal('provisional');
    expect(y2027.days.length).to.be.greaterThan(20);
    expect(y2027.days.every((d: any) => d.source === 'provisional' && d.provisional === true && d.kind === 'holiday')).to.equal(true);
    expect(y2027.days.find((d: any) => d.day === '2027-02-06')).to.include({ nameZh: '春节', nameEn: 'Spring Festival' });
    expect(y2027.days.find((d: any) => d.day === '2027-10-01')).to.include({ nameEn: 'National Day' });

    // Without a year: this year in Beijing.
    expect((await ok(admin.get('/api/calendar'))).year).to.equal(2026);
    expect((await admin.get('/api/calendar?year=1999')).status).to.equal(400);
    expect((await admin.get('/api/calendar?year=twenty')).status).to.equal(400);
    expect((await s.client().get('/api/calendar')).status).to.equal(401);
  });

  it('says from 1 November (China time) that next year is not confirmed, on the calendar and on the board', async () => {
    const dates: Array<[string, number[]]> = [
      ['2025-11-20T10:00:00', []], // 2026 is announced
      ['2026-10-31T23:59:59', []],
      ['2026-11-01T00:00:00', [2027]],
      ['2026-12-31T23:59:00', [2027]],
      ['2027-01-01T00:00:00', [2027]], // the year began unconfirmed
      ['2027-11-01T08:00:00', [2027, 2028]],
    ];
    for (const [local, want] of dates) {
      clock.set(cst(local));
      const admin = await s.as('admin');
      const sup = await s.as('supervisor');
      expect((await ok(admin.get('/api/calendar'))).unconfirmedYears, local).to.deep.equal(want);
      expect((await ok(sup.get('/api/supervision/board'))).calendar, local).to.deep.equal({ unconfirmedYears: want });
    }
    clock.set(cst('2026-11-02T09:00:00'));
  });

  it('marks deadlines counted over provisional days, until an admin corrects and confirms the year', async () => {
    // Thursday 4 February 2027, 09:00 in Beijing: the provisional Spring Festival starts tomorrow.
    clock.set(cst('2027-02-04T09:00:00'));
    const c = await cast(s);
    const req = await raise(c, [item('A02010201', 4, 60_000)], { neededBy: '2027-12-31' });
    expect(req.method).to.equal('inquiry');
    const detail = await ok(c.purchaser.get(`/api/requisitions/${req.id}`));
    expect(detail.approvals[0].dueAt.slice(0, 10) >= '2027-02-15', detail.approvals[0].dueAt).to.equal(true); // counted past the holiday
    expect(detail.approvals[0].dueProvisional).to.equal(true);
    const pid = await approveAll(c, req.id);
    // 3 working days: 15, 16 and 17 February; the 12th is a provisional holiday, so too soon.
    const tooSoon = await c.operator.post(`/api/projects/${pid}/documents`, { deadlineAt: cst('2027-02-12T09:00:00').toISOString() });
    expect(tooSoon.body.error.code).to.equal('RESPONSE_PERIOD_TOO_SHORT');
    expect(tooSoon.body.error.details.earliestDeadline).to.equal(cst('2027-02-17T09:00:00').toISOString());
    const p = await ok(c.operator.post(`/api/projects/${pid}/documents`, { deadlineAt: cst('2027-02-18T09:00:00').toISOString() }));
    expect(p.deadlineProvisional).to.equal(true);
    expect(p.stages.find((st: any) => st.stage === 'responses_open').dueProvisional).to.equal(true);
    const desk = await ok(c.operator.get('/api/projects/deadlines'));
    expect(desk.items.find((x: any) => x.projectId === pid).dueProvisional).to.equal(true);

    const admin = await s.as('admin');
    // A working Saturday the State Council announced: the city's day, never provisional.
    expect((await c.operator.request('PUT', '/api/calendar/2027-02-20', { kind: 'workday', name: '春节调休上班' })).status).to.equal(403);
    const set = await ok(admin.request('PUT', '/api/calendar/2027-02-20', { kind: 'workday', name: '春节调休上班', nameEn: 'Spring Festival: make-up working day' }));
    expect(set).to.deep.equal({ day: '2027-02-20', kind: 'workday', nameZh: '春节调休上班', nameEn: 'Spring Festival: make-up working day', source: 'city', provisional: false });
    const corrected = await ok(admin.get('/api/calendar?year=2027'));
    expect(corrected.days.find((d: any) => d.day === '2027-02-20')).to.include({ source: 'city', provisional: false });
    expect(corrected.status).to.equal('provisional');

    // Confirming: admins only; an announced year has nothing to confirm.
    expect((await c.operator.post('/api/calendar/2027/confirm', {})).status).to.equal(403);
    const official = await admin.post('/api/calendar/2026/confirm', {});
    expect([official.status, official.body.error.code]).to.deep.equal([409, 'CALENDAR_YEAR_OFFICIAL']);
    const confirmed = await ok(admin.post('/api/calendar/2027/confirm', { note: 'checked against the State Council notice' }));
    expect(confirmed.status).to.equal('confirmed');
    expect(confirmed.confirmation.confirmedAt).to.equal(clock.now().toISOString());
    expect(confirmed.days.every((d: any) => d.provisional === false)).to.equal(true);
    expect(confirmed.days.find((d: any) => d.day === '2027-02-06')).to.include({ source: 'provisional', provisional: false });
    expect(confirmed.days.find((d: any) => d.day === '2027-02-20')).to.include({ source: 'city' });
    expect(confirmed.unconfirmedYears).to.deep.equal([]);
    const again = await admin.post('/api/calendar/2027/confirm', {});
    expect([again.status, again.body.error.code]).to.deep.equal([409, 'CALENDAR_YEAR_CONFIRMED']);
    const audit = await s.tdb.db('audit_events').where({ action: 'calendar.year_confirmed', entity_type: 'calendar_year', entity_id: '2027' });
    expect(audit).to.have.length(1);
    expect(JSON.parse(audit[0].after_json ?? audit[0].after ?? 'null')).to.include({ status: 'confirmed', note: 'checked against the State Council notice' });
    expect(await s.tdb.db('audit_events').where({ action: 'calendar.day_set', entity_id: '2027-02-20' }).count({ n: '*' }).first()).to.satisfy((r: any) => Number(r.n) === 1);

    // The marks are gone: the year is settled.
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).deadlineProvisional).to.equal(false);
    expect((await ok(c.purchaser.get(`/api/requisitions/${req.id}`))).approvals[0].dueProvisional).to.equal(false);
    const sup = await s.as('supervisor');
    expect((await ok(sup.get('/api/supervision/board'))).calendar.unconfirmedYears).to.deep.equal([]);
  });
});
