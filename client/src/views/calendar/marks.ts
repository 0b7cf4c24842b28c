// The provisional-calendar marks other pages show: a small tag beside a deadline counted over
// provisional holidays, and the notice that a year's calendar is not yet confirmed.
import './calendar.css';
import { h } from '../../dom';
import { t } from '../../i18n';

/** A small "provisional" tag beside a deadline (nothing when the deadline is settled). */
export function provisionalMark(provisional: boolean | undefined): HTMLElement | null {
  if (!provisional) return null;
  return h('span', { class: 'cal-provisional', title: t('calendar.provisionalMarkTitle'), 'data-testid': 'deadline-provisional' }, t('calendar.provisionalMark'));
}

/** The notice that these years' calendars are still provisional (nothing when none is). */
export function unconfirmedNotice(years: number[] | undefined, link = false): HTMLElement | null {
  if (!years?.length) return null;
  const text = t('calendar.notice', { years: years.join('、') });
  return h('p', { class: 'cal-notice', role: 'status', 'data-testid': 'calendar-unconfirmed', 'data-years': years.join(',') }, link ? h('a', { href: `/calendar?year=${years[years.length - 1]}`, 'data-link': '' }, text) : text);
}
