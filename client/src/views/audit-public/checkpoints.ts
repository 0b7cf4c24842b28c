// Portal: the audit chain's signed checkpoints and the public key that signed them (issue 16).
import { h } from '../../dom';
import { api } from '../../api';
import { t, formatTime, type MessageKey } from '../../i18n';

interface CheckpointPage {
  publicKey: { algorithm: string; keyId: string; hex: string; pem: string };
  intervalMinutes: number;
  headSeq: number;
  total: number;
  items: Array<{ seq: number; hash: string; fromSeq: number; signedAt: string; reason: string; keyId: string; signature: string }>;
}

const short = (s: string) => `${s.slice(0, 16)}…`;

export function auditCheckpointsView(): HTMLElement {
  const root = h('section', { 'data-testid': 'audit-checkpoints' }, h('h1', {}, t('auditPublic.title')));
  void api<CheckpointPage>('GET', '/api/public/audit/checkpoints?hashes=false&pageSize=100').then((r) =>
    root.append(
      h('p', { class: 'muted' }, t('auditPublic.intro', { minutes: r.intervalMinutes || 10 })),
      h('h2', {}, t('auditPublic.key')),
      h('p', {}, `${r.publicKey.algorithm} · ${t('auditPublic.keyId')} `, h('code', { 'data-testid': 'audit-key-id' }, r.publicKey.keyId)),
      h('p', {}, h('code', { class: 'small', 'data-testid': 'audit-public-key' }, r.publicKey.hex)),
      h('p', {}, t('auditPublic.head', { seq: r.headSeq }), ' · ', h('a', { href: '/api/public/audit/checkpoints?pageSize=200', download: 'audit-checkpoints.json', 'data-testid': 'audit-download' }, t('auditPublic.download'))),
      r.items.length
        ? h(
            'table',
            { class: 'table', 'data-testid': 'audit-checkpoint-table' },
            h('thead', {}, h('tr', {}, [t('auditPublic.seq'), t('auditPublic.signedAt'), t('auditPublic.reason'), t('auditPublic.events'), t('auditPublic.hash'), t('auditPublic.signature')].map((c) => h('th', {}, c)))),
            h(
              'tbody',
              {},
              r.items.map((c) =>
                h(
                  'tr',
                  { 'data-seq': String(c.seq) },
                  h('td', {}, String(c.seq)),
                  h('td', {}, formatTime(c.signedAt)),
                  h('td', {}, t(`auditPublic.reason.${c.reason}` as MessageKey)),
                  h('td', {}, `${c.fromSeq}–${c.seq} (${c.seq - c.fromSeq + 1})`),
                  h('td', {}, h('code', { title: c.hash }, short(c.hash))),
                  h('td', {}, h('code', { title: c.signature }, short(c.signature))),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted', 'data-testid': 'audit-none' }, t('auditPublic.none')),
    ),
  );
  return root;
}
