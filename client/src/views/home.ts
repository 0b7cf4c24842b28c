import { h } from '../dom';
import { t, formatTime, type MessageKey } from '../i18n';
import { session } from '../session';

export function homeView(): HTMLElement {
  const u = session.user!;
  const clock = h('p', { 'data-testid': 'server-time' });
  const tick = () => {
    if (!clock.isConnected && clock.dataset.started) return clearInterval(timer);
    clock.dataset.started = '1';
    clock.textContent = t('home.serverTime', { time: formatTime(new Date(Date.now() + session.serverOffsetMs).toISOString(), u.timeZone) });
  };
  const timer = setInterval(tick, 1000);
  tick();
  return h(
    'section',
    { class: 'home', 'data-testid': 'home' },
    h('h1', {}, t('home.welcome', { name: u.displayName })),
    h('p', {}, t('home.role', { role: u.roles.map((r) => t(`role.${r}` as MessageKey)).join(' / ') })),
    clock,
  );
}
