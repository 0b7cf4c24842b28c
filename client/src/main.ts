// The shell: login page, role-aware navigation, language switch and live-connection indicator.
import { deviceId } from './device';
import './style.css';
import { h, mount } from './dom';
import { api, ApiError, setCsrf } from './api';
import { t, setLocale, locale, onLocaleChange, type MessageKey } from './i18n';
import { Live } from './ws';
import { session, type User } from './session';
import { VIEWS, matchView } from './views/registry';

const app = document.getElementById('app')!;
export const live = new Live();

/** The views the logged-in user may open (the portal's public pages are open to all). */
function allowedViews() {
  const roles = session.user?.roles ?? [];
  return VIEWS.filter((v) => v.roles === 'all' || (Array.isArray(v.roles) && v.roles.some((r) => roles.includes(r))));
}

export function navigate(path: string): void {
  history.pushState({}, '', path);
  render();
}

// In-app links (<a data-link>) navigate without a page load.
document.addEventListener('click', (e) => {
  const a = (e.target as Element | null)?.closest?.('a[data-link]') as HTMLAnchorElement | null;
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href')!);
});

function langButton(): HTMLElement {
  return h('button', { class: 'lang', 'data-testid': 'lang-switch', onclick: () => setLocale(locale() === 'en' ? 'zh-CN' : 'en') }, t('lang.switch'));
}

function loginPage(): HTMLElement {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, 'data-testid': 'login-username' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'login-error' });
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api<{ user: User; csrfToken: string }>('POST', '/api/auth/login', { username: username.value, password: password.value, deviceId: deviceId() });
      setCsrf(r.csrfToken);
      session.user = r.user;
      startLive();
      navigate('/');
    } catch (err) {
      error.textContent = `${t('login.failed')}${locale() === 'en' ? ': ' : '：'}${(err as Error).message}`;
    }
  };
  return h(
    'main',
    { class: 'login' },
    h('div', { class: 'login-top' }, langButton()),
    h(
      'form',
      { class: 'card', onsubmit },
      h('h1', {}, t('app.title')),
      h('p', { class: 'muted' }, t('app.subtitle')),
      h('label', {}, t('login.username'), username),
      h('label', {}, t('login.password'), password),
      h('button', { type: 'submit', 'data-testid': 'login-submit' }, t('login.submit')),
      error,
      h('p', { class: 'muted small' }, t('login.demoHint')),
      h('p', {}, h('a', { href: '/portal', 'data-link': '', 'data-testid': 'to-portal' }, t('portal.home'))),
    ),
  );
}

function portalPage(view: (typeof VIEWS)[number], params: Record<string, string>): HTMLElement {
  const links = VIEWS.filter((v) => v.roles === 'public' && v.inNav !== false);
  return h(
    'div',
    { class: 'shell portal' },
    h(
      'header',
      {},
      h('a', { class: 'brand', href: '/portal', 'data-link': '' }, t('app.title')),
      langButton(),
      session.user ? h('a', { href: '/', 'data-link': '' }, t('portal.workspace')) : h('a', { href: '/login', 'data-link': '', 'data-testid': 'portal-login' }, t('portal.login')),
    ),
    h('nav', { 'data-testid': 'portal-nav' }, links.map((v) => h('a', { href: v.path, 'data-link': '', class: v === view ? 'active' : '' }, t(v.nav)))),
    h('main', { class: 'content' }, view.render(params)),
  );
}

const wsIndicator = h('span', { class: 'ws', 'data-testid': 'ws-status' });
function paintWs(s: typeof live.status): void {
  wsIndicator.className = `ws ${s}`;
  wsIndicator.dataset.status = s;
  wsIndicator.textContent = t(`ws.${s}` as MessageKey);
}
live.onStatus(paintWs);
live.onMessage((m) => {
  if (m.type === 'hello' && m.serverTime) session.serverOffsetMs = Date.parse(m.serverTime) - Date.now();
});

let liveStarted = false;
function startLive(): void {
  if (liveStarted) return;
  liveStarted = true;
  live.subscribe(`user:${session.user!.id}`);
  live.connect();
}

function shell(): HTMLElement {
  const views = allowedViews();
  const matched = matchView(views, location.pathname);
  const current = matched?.view;
  const logout = async () => {
    await api('POST', '/api/auth/logout').catch(() => undefined);
    live.close();
    liveStarted = false;
    session.user = null;
    navigate('/login');
  };
  return h(
    'div',
    { class: 'shell' },
    h(
      'header',
      {},
      h('strong', { class: 'brand' }, t('app.title')),
      wsIndicator,
      h('span', { class: 'who', 'data-testid': 'current-user' }, `${session.user!.displayName} · ${session.user!.roles.map((r) => t(`role.${r}` as MessageKey)).join('/')}`),
      langButton(),
      h('button', { onclick: logout, 'data-testid': 'logout' }, t('logout')),
    ),
    h(
      'nav',
      { 'data-testid': 'nav', 'data-roles': session.user!.roles.join(' ') },
      views.filter((v) => v.inNav !== false).map((v) =>
        h('a', { href: v.path, class: v === current ? 'active' : '', 'data-nav': v.path, onclick: (e: Event) => { e.preventDefault(); navigate(v.path); } }, t(v.nav)),
      ),
    ),
    h('main', { class: 'content' }, current ? current.render(matched!.params) : h('p', {}, t('notFound'))),
  );
}

function render(): void {
  const pub = matchView(VIEWS.filter((v) => v.roles === 'public'), location.pathname);
  if (pub) {
    mount(app, portalPage(pub.view, pub.params));
    document.title = `${t(pub.view.nav)} · ${t('app.title')}`;
    return;
  }
  if (!session.user) {
    if (location.pathname !== '/login') history.replaceState({}, '', '/login');
    mount(app, loginPage());
    return;
  }
  if (location.pathname === '/login') history.replaceState({}, '', '/');
  mount(app, shell());
  document.title = t('app.title');
}

async function boot(): Promise<void> {
  try {
    const me = await api<{ user: User; csrfToken: string; serverTime: string }>('GET', '/api/me');
    session.user = me.user;
    session.serverOffsetMs = Date.parse(me.serverTime) - Date.now();
    setCsrf(me.csrfToken);
    startLive();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) console.error(err);
  }
  render();
}

window.addEventListener('popstate', render);
onLocaleChange(() => {
  paintWs(live.status);
  render();
});
void boot();
