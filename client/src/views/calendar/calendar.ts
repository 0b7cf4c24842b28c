// The holiday calendar (admin): a year's holidays and working weekends with their source, whether
// the year is announced, confirmed or provisional, correcting a day and confirming a whole year.
import { h, mount } from '../../dom';
import { t, locale, formatTime } from '../../i18n';
import { api } from '../../api';
import { session } from '../../session';
import { navigate } from '../../main';
import { actionButton } from '../../widgets';
import { provisionalMark, unconfirmedNotice } from './marks';

interface CalendarDay { day: string; kind: 'holiday' | 'workday'; nameZh: string; nameEn: string; source: 'official' | 'provisional' | 'city'; provisional: boolean }
interface CalendarYear {
  year: number;
  status: 'official' | 'confirmed' | 'provisional';
  confirmation: { confirmedAt: string; confirmedBy: number | null } | null;
  officialYears: { from: number; to: number };
  days: CalendarDay[];
  unconfirmedYears: number[];
}

/** The weekday of a YYYY-MM-DD date, in the user's language (the date is a China calendar day). */
const weekday = (day: string) => new Intl.DateTimeFormat(locale(), { weekday: 'short', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));

function yearTable(y: CalendarYear): HTMLElement {
  if (!y.days.length) return h('p', { class: 'muted' }, t('calendar.empty'));
  const head = ['calendar.col.day', 'calendar.col.weekday', 'calendar.col.kind', 'calendar.col.name', 'calendar.col.source'];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'data-testid': 'calendar-days' },
      h('thead', {}, h('tr', {}, head.map((k) => h('th', {}, t(k))))),
      h(
        'tbody',
        {},
        y.days.map((d) =>
          h(
            'tr',
            { class: `cal-row-${d.kind}`, 'data-day': d.day, 'data-kind': d.kind, 'data-source': d.source, 'data-provisional': String(d.provisional) },
            h('td', {}, d.day),
            h('td', {}, weekday(d.day)),
            h('td', {}, t(`calendar.kind.${d.kind}`)),
            h('td', {}, locale() === 'en' ? d.nameEn : d.nameZh),
            h('td', {}, t(`calendar.source.${d.source}`), provisionalMark(d.provisional)),
          ),
        ),
      ),
    ),
  );
}

function dayForm(year: number, reload: (message: string) => Promise<void>): HTMLElement {
  const day = h('input', { type: 'date', required: true, min: `${year}-01-01`, max: `${year}-12-31`, 'data-testid': 'calendar-set-day' }) as HTMLInputElement;
  const kind = h('select', { 'data-testid': 'calendar-set-kind' }, h('option', { value: 'holiday' }, t('calendar.kind.holiday')), h('option', { value: 'workday' }, t('calendar.kind.workday'))) as HTMLSelectElement;
  const name = h('input', { maxlength: 100, 'data-testid': 'calendar-set-name' }) as HTMLInputElement;
  const nameEn = h('input', { maxlength: 100, 'data-testid': 'calendar-set-name-en' }) as HTMLInputElement;
  const field = (label: string, input: HTMLElement) => h('label', {}, t(label), input);
  return h(
    'section',
    {},
    h('h2', {}, t('calendar.set.title')),
    h(
      'div',
      { class: 'cal-form' },
      field('calendar.set.day', day),
      field('calendar.set.kind', kind),
      field('calendar.set.name', name),
      field('calendar.set.nameEn', nameEn),
      actionButton(t('calendar.set.submit'), 'calendar-set-submit', async () => {
        await api('PUT', `/api/calendar/${day.value}`, { kind: kind.value, name: name.value.trim(), ...(nameEn.value.trim() ? { nameEn: nameEn.value.trim() } : {}) });
        await reload(t('calendar.set.saved', { day: day.value }));
      }),
    ),
  );
}

export function calendarView(): HTMLElement {
  const isAdmin = !!session.user?.roles.includes('admin');
  const root = h('section', { 'data-testid': 'calendar-page' });
  const asked = Number(new URLSearchParams(location.search).get('year')) || undefined;

  const show = async (year: number | undefined, message = '') => {
    const y = await api<CalendarYear>('GET', `/api/calendar${year ? `?year=${year}` : ''}`);
    const go = (to: number) => navigate(`/calendar?year=${to}`);
    const status =
      y.status === 'confirmed' ? t('calendar.status.confirmed', { time: formatTime(y.confirmation!.confirmedAt, 'Asia/Shanghai') }) : t(`calendar.status.${y.status}`);
    mount(
      root,
      h(
        'div',
        { class: 'cal-year' },
        h('button', { type: 'button', 'data-testid': 'calendar-prev', onclick: () => go(y.year - 1) }, t('calendar.prevYear')),
        h('h1', {}, t('calendar.title', { year: y.year })),
        h('button', { type: 'button', 'data-testid': 'calendar-next', onclick: () => go(y.year + 1) }, t('calendar.nextYear')),
      ),
      unconfirmedNotice(y.unconfirmedYears),
      h('p', { 'data-testid': 'calendar-status', 'data-status': y.status }, status, y.status === 'provisional' ? provisionalMark(true) : null),
      h('p', { class: 'muted small' }, t('calendar.officialRange', { from: y.officialYears.from, to: y.officialYears.to })),
      message ? h('p', { class: 'toast', role: 'status', 'data-testid': 'calendar-toast' }, message) : null,
      yearTable(y),
      isAdmin && y.status === 'provisional'
        ? h(
            'section',
            {},
            h('p', { class: 'muted' }, t('calendar.confirm.hint')),
            actionButton(t('calendar.confirm', { year: y.year }), 'calendar-confirm', async () => {
              await api('POST', `/api/calendar/${y.year}/confirm`, {});
              await show(y.year, t('calendar.confirm.done', { year: y.year }));
            }),
          )
        : null,
      isAdmin ? dayForm(y.year, (msg) => show(y.year, msg)) : null,
    );
  };
  void show(asked).catch((e) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  return root;
}
