import { h } from '../dom';
import { t, formatTime } from '../i18n';
import { api } from '../api';
import { session } from '../session';
import { pagedTable } from './table';
import { actionName, entityRef, roleName } from '../names';

interface AuditEvent {
  seq: number;
  occurredAt: string;
  actorName: string | null;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: string;
}

export function auditView(): HTMLElement {
  const badge = h('p', { class: 'badge', 'data-testid': 'chain-badge' });
  const verify = async () => {
    const r = await api('GET', '/api/audit/verify');
    badge.className = r.intact ? 'badge ok' : 'badge bad';
    badge.textContent = r.intact ? t('audit.intact', { n: r.events }) : t('audit.broken', { seq: r.brokenAt.seq, reason: r.brokenAt.reason });
  };
  void verify();
  return h(
    'section',
    {},
    h('h1', {}, t('nav.audit')),
    h('div', { class: 'toolbar' }, h('button', { onclick: () => void verify() }, t('audit.verify')), badge),
    pagedTable<AuditEvent>({
      endpoint: '/api/audit/events',
      testId: 'audit-events',
      columns: [
        { key: 'audit.seq', cell: (r) => String(r.seq), numeric: true },
        { key: 'audit.time', cell: (r) => formatTime(r.occurredAt, session.user?.timeZone) },
        { key: 'audit.actor', cell: (r) => `${r.actorName ?? ''}（${roleName(r.actorRole)}）` },
        { key: 'audit.action', cell: (r) => actionName(r.action) },
        { key: 'audit.entity', cell: (r) => entityRef(r.entityType, r.entityId) },
      ],
    }),
  );
}
