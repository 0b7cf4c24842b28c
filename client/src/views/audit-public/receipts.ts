// The supplier's bid receipts with the audit event that recorded each and its proof (issue 16):
// listed, and downloaded as one JSON file for `node scripts/verify-receipt.mjs`.
import { h } from '../../dom';
import { api } from '../../api';
import { t, formatTime, formatFen, type MessageKey } from '../../i18n';

interface Receipts {
  publicKey: { keyId: string; hex: string };
  items: Array<{ kind: string; ref: string; processId: number; amountFen: number | null; at: string; audit: { seq: number; hash: string; index?: number }; proof: { checkpoint: { seq: number; signedAt: string } } | null }>;
}

export function myReceiptsView(): HTMLElement {
  const root = h('section', { 'data-testid': 'my-receipts' }, h('h1', {}, t('auditReceipts.title')));
  void api<Receipts>('GET', '/api/my/audit-receipts').then((r) => {
    const download = () => {
      const url = URL.createObjectURL(new Blob([JSON.stringify(r, null, 1)], { type: 'application/json' }));
      const a = h('a', { href: url, download: 'bid-receipts.json' });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    };
    root.append(
      h('p', { class: 'muted' }, t('auditReceipts.intro')),
      h('p', {}, h('button', { type: 'button', onclick: download, 'data-testid': 'receipts-download', disabled: r.items.length === 0 }, t('auditReceipts.download'))),
      r.items.length
        ? h(
            'table',
            { class: 'table', 'data-testid': 'receipts-table' },
            h('thead', {}, h('tr', {}, [t('auditReceipts.kind'), t('auditReceipts.ref'), t('auditReceipts.amount'), t('auditReceipts.at'), t('auditReceipts.event'), t('auditReceipts.proof')].map((c) => h('th', {}, c)))),
            h(
              'tbody',
              {},
              r.items.map((x) =>
                h(
                  'tr',
                  { 'data-ref': x.ref },
                  h('td', {}, t(`auditReceipts.kind.${x.kind}` as MessageKey)),
                  h('td', {}, x.ref),
                  h('td', {}, x.amountFen === null ? t('auditReceipts.sealed') : formatFen(x.amountFen)),
                  h('td', {}, formatTime(x.at)),
                  h('td', {}, h('code', { title: x.audit.hash }, `#${x.audit.seq} ${x.audit.hash.slice(0, 12)}…`)),
                  h('td', {}, x.proof ? t('auditReceipts.proofAt', { seq: x.proof.checkpoint.seq, at: formatTime(x.proof.checkpoint.signedAt) }) : t('auditReceipts.noProof')),
                ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('auditReceipts.none')),
    );
  });
  return root;
}
