// The competitive consultation pages: the list this user may see, and one consultation with the
// panel for the user's part (operator, team expert, supplier, purchasing unit). The final
// quotations are sealed and opened on the tender page of the consultation's final-quotation tender.
import { h, mount, newestOnly } from '../../dom';
import { api } from '../../api';
import { t } from '../../i18n';
import { hasRole } from '../../session';
import { pagedTable } from '../table';
import { live } from '../../main';
import { action, docText, errorText, money, table, when, yuanToFen } from '../tendering/ui';
import '../tendering/tendering.css';

interface Summary { id: number; reference: string; title: string; kind: string; budgetFen: number; stage: string; responseDeadline: string }
interface Rule { value: number; source: string }
interface Change { id: number; version: number; summary: string; body: string; issuedAt: string; byTeam?: boolean; sent?: boolean; acknowledgedAt?: string | null; acks?: Array<{ supplierId: number; acknowledgedAt: string | null }> }
interface Detail {
  id: number;
  reference: string;
  title: string;
  kind: string;
  budgetFen: number;
  priceWeight: number;
  smeDeductionPct: number;
  description: string;
  requirements: Array<{ key: string; text: string }>;
  criteria: Array<{ key: string; name: string; weight: number }>;
  invitation: 'draw' | 'public_notice';
  exception: string | null;
  minSuppliers: number;
  status: string;
  stage: string;
  issuedAt: string | null;
  responseDeadline: string;
  tenderId: number | null;
  failureReason: string | null;
  rules: { firstResponseDays: Rule; minSuppliers: Rule; teamMinimum: Rule };
  viewer: 'official' | 'unit' | 'team' | 'supplier';
  suppliers?: Array<{ supplierId: number; name: string; status: string; respondedAt: string | null; response: string | null; eliminatedReason: string | null }>;
  respondedCount?: number;
  team?: Array<{ expertId: number; name: string | null; chair: boolean }>;
  rounds?: Array<{ supplierId?: number; roundNo: number; documentsVersion: number; heldAt: string; minutes: string | null }>;
  changes: Change[];
  me?: { status: string; respondedAt: string | null; responseSha256: string | null; response: string | null } | null;
}

const go = (path: string) => {
  history.pushState({}, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
};
const stageBadge = (stage: string) => h('span', { class: `tag tender-${stage}`, 'data-stage': stage }, t(`consultation.stage.${stage}`));
/** datetime-local value → ISO, in the browser's time zone. */
const isoOf = (local: string) => new Date(local).toISOString();

export function consultationsView(): HTMLElement {
  const root = h('section', { 'data-testid': 'consultations' }, h('h1', {}, t('consultation.list.title')));
  if (hasRole('operator')) {
    const slot = h('div', {});
    root.append(h('p', {}, h('button', { type: 'button', 'data-testid': 'consultation-new-open', onclick: () => mount(slot, newForm()) }, t('consultation.new'))), slot);
  }
  root.append(
    pagedTable<Summary>({
      endpoint: '/api/consultations',
      testId: 'consultation-list',
      columns: [
        { key: 'consultation.ref', cell: (r) => h('a', { href: `/consultations/${r.id}`, 'data-link': '', 'data-testid': `consultation-link-${r.id}` }, r.reference) },
        { key: 'consultation.title', cell: (r) => r.title },
        { key: 'consultation.budget', cell: (r) => money(r.budgetFen), numeric: true },
        { key: 'consultation.deadline', cell: (r) => when(r.responseDeadline) },
        { key: 'consultation.stage', cell: (r) => stageBadge(r.stage) },
      ],
    }),
  );
  return root;
}

interface Template { priceWeight: number; smeDeductionPct: number; requirements: Array<{ key: string; text: string }>; qualifications: Array<{ key: string; text: string }>; criteria: Array<{ key: string; name: string; kind: string; weight: number }> }

/** The documents from the services or goods template (comprehensive scoring); the price weight is checked on the server. */
function newForm(): HTMLElement {
  const f = h('form', { class: 'card', 'data-testid': 'consultation-new' }) as HTMLFormElement;
  const field = (label: string, el: HTMLElement) => h('label', {}, label, el);
  const title = h('input', { required: true, maxlength: 200, 'data-testid': 'cn-title' });
  const kind = h('select', { 'data-testid': 'cn-kind' }, ['services', 'goods'].map((k) => h('option', { value: k }, t(`tendering.kind.${k}`))));
  const category = h('input', { required: true, maxlength: 32, 'data-testid': 'cn-category' });
  const budget = h('input', { required: true, inputmode: 'decimal', 'data-testid': 'cn-budget' });
  const weight = h('input', { type: 'number', min: 1, max: 99, value: 20, 'data-testid': 'cn-price-weight' });
  const sme = h('input', { type: 'number', min: 0, max: 30, value: 10, 'data-testid': 'cn-sme' });
  const description = h('textarea', { required: true, maxlength: 20000, 'data-testid': 'cn-description' });
  const invitation = h('select', { 'data-testid': 'cn-invitation' }, ['draw', 'public_notice'].map((k) => h('option', { value: k }, t(`consultation.invitation.${k}`))));
  const exception = h('select', { 'data-testid': 'cn-exception' }, h('option', { value: '' }, t('consultation.exception.none')), ['services_2015_124', 'research_art22'].map((k) => h('option', { value: k }, t(`consultation.exception.${k}`))));
  const deadline = h('input', { type: 'datetime-local', required: true, 'data-testid': 'cn-deadline' });
  const project = h('input', { type: 'number', min: 1, 'data-testid': 'cn-project' });
  const err = h('p', { class: 'error' });
  f.append(
    field(t('consultation.title'), title), field(t('consultation.kind'), kind), field(t('consultation.category'), category), field(t('consultation.budget'), budget),
    field(t('consultation.priceWeight'), weight), field(t('consultation.smeDeduction'), sme), field(t('consultation.description'), description),
    field(t('consultation.invitation'), invitation), field(t('consultation.exception'), exception), field(t('consultation.deadline'), deadline), field(t('consultation.projectId'), project),
    h('button', { type: 'submit', 'data-testid': 'cn-create' }, t('consultation.create')), err,
  );
  f.onsubmit = async (e) => {
    e.preventDefault();
    try {
      const c = await api<{ templates: Record<string, Template> }>('GET', '/api/tender-templates');
      const tpl = c.templates[(kind as HTMLSelectElement).value];
      const pw = Number((weight as HTMLInputElement).value);
      // The price criterion carries the price weight; the largest other criterion absorbs the difference.
      const criteria = tpl.criteria.map((k) => ({ ...k }));
      const price = criteria.find((k) => k.kind === 'price')!;
      const biggest = criteria.filter((k) => k.kind !== 'price').sort((a, b) => b.weight - a.weight)[0];
      biggest.weight += price.weight - pw;
      price.weight = pw;
      const fen = yuanToFen((budget as HTMLInputElement).value);
      const created = await api<{ id: number }>('POST', '/api/consultations', {
        title: (title as HTMLInputElement).value,
        kind: (kind as HTMLSelectElement).value,
        categoryCode: (category as HTMLInputElement).value.trim(),
        budgetFen: fen ?? 0,
        priceWeight: pw,
        smeDeductionPct: Number((sme as HTMLInputElement).value),
        description: (description as HTMLTextAreaElement).value,
        requirements: tpl.requirements,
        qualifications: tpl.qualifications,
        criteria,
        invitation: (invitation as HTMLSelectElement).value,
        exception: (exception as HTMLSelectElement).value || null,
        responseDeadline: isoOf((deadline as HTMLInputElement).value),
        ...((project as HTMLInputElement).value ? { projectId: Number((project as HTMLInputElement).value) } : {}),
      });
      go(`/consultations/${created.id}`);
    } catch (x) {
      err.textContent = errorText(x);
    }
  };
  return f;
}

export function consultationView(params: Record<string, string>): HTMLElement {
  const root = h('section', { class: 'tender', 'data-testid': 'consultation-detail' });
  const id = Number(params.id);
  let watching = false;
  const load = newestOnly(async (stale) => {
    try {
      const d = await api<Detail>('GET', `/api/consultations/${id}`);
      if (stale()) return;
      mount(root, ...page(d, () => void load()));
      root.dataset.stage = d.stage;
      if (!watching) {
        watching = true;
        live.subscribe(`consultation:${id}`);
        const off = live.onMessage((m) => {
          if (!root.isConnected) return off();
          if (m.consultationId === id) void load();
        });
      }
    } catch (e) {
      if (!stale()) mount(root, h('p', { class: 'error' }, errorText(e)));
    }
  });
  void load();
  return root;
}

type Child = Parameters<typeof mount>[1];
function page(d: Detail, reload: () => void): Child[] {
  const inside = d.viewer !== 'supplier';
  return [
    h('p', {}, h('a', { href: '/consultations', 'data-link': '' }, t('consultation.back')), ' ', h('button', { type: 'button', onclick: reload, 'data-testid': 'consultation-refresh' }, t('consultation.refresh'))),
    h('h1', {}, `${d.title} `, stageBadge(d.stage)),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('consultation.ref')), h('dd', { 'data-testid': 'consultation-reference' }, d.reference),
      h('dt', {}, t('consultation.budget')), h('dd', {}, money(d.budgetFen)),
      h('dt', {}, t('consultation.priceWeight')), h('dd', {}, `${d.priceWeight}%`),
      h('dt', {}, t('consultation.smeDeduction')), h('dd', {}, `${d.smeDeductionPct}%`),
      h('dt', {}, t('consultation.invitation')), h('dd', {}, t(`consultation.invitation.${d.invitation}`)),
      h('dt', {}, t('consultation.minSuppliers')), h('dd', {}, String(d.minSuppliers), d.exception ? ` · ${t(`consultation.exception.${d.exception}`)}` : ''),
      h('dt', {}, t('consultation.issuedAt')), h('dd', {}, when(d.issuedAt) || '—'),
      h('dt', {}, t('consultation.deadline')), h('dd', { 'data-testid': 'consultation-deadline' }, when(d.responseDeadline)),
      d.failureReason ? [h('dt', {}, t('consultation.stage')), h('dd', { 'data-testid': 'consultation-failure' }, t(`consultation.failure.${d.failureReason}`))] : null,
    ),
    h('h2', {}, t('consultation.rules')),
    h('ul', {}, h('li', {}, t('consultation.rule.firstResponseDays', { n: d.rules.firstResponseDays.value })), h('li', {}, t('consultation.rule.minSuppliers', { n: d.rules.minSuppliers.value })), h('li', {}, t('consultation.rule.teamMinimum', { n: d.rules.teamMinimum.value }))),
    h('h2', {}, t('consultation.description')),
    h('p', {}, d.description),
    h('ul', {}, d.requirements.map((r) => h('li', {}, docText(r.text)))),
    d.tenderId ? h('p', {}, h('a', { href: `/tenders/${d.tenderId}`, 'data-link': '', 'data-testid': 'consultation-final-link' }, t(d.viewer === 'supplier' ? 'consultation.finalQuotation.link' : 'consultation.finalQuotation.tender'))) : null,
    hasRole('operator') && d.viewer === 'official' ? operatorPanel(d, reload) : null,
    inside ? suppliersSection(d, reload) : null,
    inside ? teamSection(d) : null,
    inside ? roundsSection(d) : null,
    inside ? changesSection(d, reload) : null,
    d.viewer === 'supplier' ? supplierPanel(d, reload) : null,
  ];
}

function operatorPanel(d: Detail, reload: () => void): HTMLElement {
  const box = h('section', { class: 'card', 'data-testid': 'consultation-operator' });
  if (d.status === 'draft' && d.invitation === 'draw') {
    const count = h('input', { type: 'number', min: 1, max: 50, value: Math.max(d.minSuppliers, 3), 'data-testid': 'cn-invite-count' }) as HTMLInputElement;
    box.append(h('label', {}, t('consultation.op.inviteCount'), count), action(t('consultation.op.invite'), 'cn-invite', async () => { await api('POST', `/api/consultations/${d.id}/invitations`, { count: Number(count.value) }); reload(); }));
  }
  if (d.status === 'draft') box.append(action(t('consultation.op.issue'), 'cn-issue', async () => { await api('POST', `/api/consultations/${d.id}/issue`); reload(); }));
  if (d.status === 'issued') box.append(action(t('consultation.op.close'), 'cn-close', async () => { await api('POST', `/api/consultations/${d.id}/close-responses`); reload(); }));
  if ((d.status === 'issued' || d.status === 'consulting') && !(d.team ?? []).length) {
    const draw = h('input', { maxlength: 64, 'data-testid': 'cn-draw-id' }) as HTMLInputElement;
    box.append(h('label', {}, t('consultation.op.drawId'), draw), action(t('consultation.op.team'), 'cn-team', async () => { await api('POST', `/api/consultations/${d.id}/team/from-draw`, { drawId: draw.value.trim() }); reload(); }));
  }
  if (d.status === 'consulting') {
    const due = h('input', { type: 'datetime-local', 'data-testid': 'cn-final-deadline' }) as HTMLInputElement;
    box.append(h('label', {}, t('consultation.op.finalDeadline'), due), action(t('consultation.op.final'), 'cn-final', async () => { await api('POST', `/api/consultations/${d.id}/final-quotations`, { deadline: isoOf(due.value) }); reload(); }));
  }
  if (d.status === 'issued') box.append(changeForm(d, reload));
  if (d.status === 'draft' || d.status === 'issued') {
    const reason = h('input', { maxlength: 500, 'data-testid': 'cn-cancel-reason' }) as HTMLInputElement;
    box.append(h('label', {}, t('consultation.op.cancelReason'), reason), action(t('consultation.op.cancel'), 'cn-cancel', async () => { await api('POST', `/api/consultations/${d.id}/cancel`, { reason: reason.value }); reload(); }));
  }
  return box;
}

function suppliersSection(d: Detail, reload: () => void): HTMLElement {
  const team = d.viewer === 'team' && d.status === 'consulting';
  const rows = (d.suppliers ?? []).map((s) => [
    s.name,
    t(`consultation.supplier.status.${s.status}`),
    when(s.respondedAt),
    s.response ?? '',
    team && s.status === 'consulting' ? teamActions(d, s.supplierId, reload) : s.eliminatedReason ?? '',
  ]);
  return h(
    'section',
    {},
    h('h2', {}, t('consultation.suppliers')),
    d.status === 'draft' || d.status === 'issued' ? h('p', { class: 'muted small', 'data-testid': 'consultation-sealed-list' }, d.invitation === 'draw' ? t('consultation.invited.sealed') : '', ' ', t('consultation.respondedCount', { n: d.respondedCount ?? 0 })) : null,
    table([t('consultation.supplier'), t('consultation.supplierStatus'), t('consultation.respondedAt'), t('consultation.response'), ''], rows, 'consultation-suppliers'),
  );
}

/** The team's actions on one supplier: a separate round, or the end of its part. */
function teamActions(d: Detail, supplierId: number, reload: () => void): HTMLElement {
  const minutes = h('textarea', { maxlength: 20000, 'data-testid': `cn-minutes-${supplierId}` }) as HTMLTextAreaElement;
  const reason = h('input', { maxlength: 500, 'data-testid': `cn-eliminate-reason-${supplierId}` }) as HTMLInputElement;
  return h(
    'div',
    {},
    h('label', {}, t('consultation.round.record'), minutes),
    action(t('consultation.round.submit'), `cn-round-${supplierId}`, async () => { await api('POST', `/api/consultations/${d.id}/rounds`, { supplierId, minutes: minutes.value }); reload(); }),
    h('label', {}, t('consultation.eliminate.reason'), reason),
    action(t('consultation.eliminate'), `cn-eliminate-${supplierId}`, async () => { await api('POST', `/api/consultations/${d.id}/eliminations`, { supplierId, reason: reason.value }); reload(); }),
  );
}

function teamSection(d: Detail): HTMLElement {
  return h(
    'section',
    {},
    h('h2', {}, t('consultation.team')),
    table([t('consultation.team.member'), ''], (d.team ?? []).map((m) => [m.name ?? t('consultation.team.confidential'), m.chair ? t('consultation.team.chair') : '']), 'consultation-team'),
  );
}

function roundsSection(d: Detail): HTMLElement {
  const name = (id?: number) => d.suppliers?.find((s) => s.supplierId === id)?.name ?? '';
  return h(
    'section',
    {},
    h('h2', {}, t('consultation.rounds')),
    table([t('consultation.supplier'), t('consultation.round.no'), t('consultation.round.heldAt'), t('consultation.round.version'), t('consultation.round.minutes')], (d.rounds ?? []).map((r) => [name(r.supplierId), String(r.roundNo), when(r.heldAt), String(r.documentsVersion), r.minutes ?? '']), 'consultation-rounds'),
  );
}

function changeForm(d: Detail, reload: () => void): HTMLElement {
  const summary = h('input', { maxlength: 200, 'data-testid': 'cn-change-summary' }) as HTMLInputElement;
  const body = h('textarea', { maxlength: 20000, 'data-testid': 'cn-change-body' }) as HTMLTextAreaElement;
  return h(
    'div',
    { 'data-testid': 'consultation-change-form' },
    h('label', {}, t('consultation.change.summary'), summary),
    h('label', {}, t('consultation.change.body'), body),
    action(t('consultation.change.issue'), 'cn-change', async () => { await api('POST', `/api/consultations/${d.id}/changes`, { summary: summary.value, body: body.value }); reload(); }),
  );
}

function changesSection(d: Detail, reload: () => void): HTMLElement {
  return h(
    'section',
    {},
    h('h2', {}, t('consultation.changes')),
    table(
      [t('consultation.round.version'), t('consultation.change.summary'), t('consultation.change.body'), t('consultation.change.issuedAt'), t('consultation.change.acks')],
      d.changes.map((c) => [String(c.version), c.summary, c.body, when(c.issuedAt), t('consultation.change.ackCount', { done: (c.acks ?? []).filter((a) => a.acknowledgedAt).length, all: (c.acks ?? []).length })]),
      'consultation-changes',
    ),
    d.viewer === 'team' && d.status === 'consulting' ? changeForm(d, reload) : null,
  );
}

function supplierPanel(d: Detail, reload: () => void): HTMLElement {
  const box = h('section', { class: 'card', 'data-testid': 'consultation-supplier' }, h('h2', {}, t('consultation.me')), h('p', { class: 'muted small' }, t('consultation.sealedNote')));
  if (d.me) box.append(h('dl', { class: 'facts' }, h('dt', {}, t('consultation.supplierStatus')), h('dd', { 'data-testid': 'consultation-my-status' }, t(`consultation.supplier.status.${d.me.status}`)), h('dt', {}, t('consultation.me.digest')), h('dd', {}, d.me.responseSha256 ?? '')));
  else box.append(h('p', { 'data-testid': 'consultation-my-status' }, t('consultation.me.notYet')));
  if (d.status === 'issued') {
    const text = h('textarea', { maxlength: 50000, 'data-testid': 'cn-response' }, d.me?.response ?? '') as HTMLTextAreaElement;
    box.append(h('h3', {}, t('consultation.respond')), h('label', {}, t('consultation.respond.text'), text), action(t('consultation.respond.submit'), 'cn-respond', async () => { await api('POST', `/api/consultations/${d.id}/responses`, { text: text.value }); reload(); }));
  }
  box.append(
    h('h3', {}, t('consultation.changes')),
    table(
      [t('consultation.round.version'), t('consultation.change.summary'), t('consultation.change.body'), t('consultation.change.issuedAt'), ''],
      d.changes.map((c) => [
        String(c.version),
        c.summary,
        c.body,
        when(c.issuedAt),
        c.acknowledgedAt ? t('consultation.change.acknowledged', { time: when(c.acknowledgedAt) }) : c.sent ? action(t('consultation.change.acknowledge'), `cn-ack-${c.id}`, async () => { await api('POST', `/api/consultations/${d.id}/changes/${c.id}/acknowledge`); reload(); }) : '',
      ]),
      'consultation-my-changes',
    ),
    h('h3', {}, t('consultation.rounds')),
    table([t('consultation.round.no'), t('consultation.round.heldAt'), t('consultation.round.version'), t('consultation.round.minutes')], (d.rounds ?? []).map((r) => [String(r.roundNo), when(r.heldAt), String(r.documentsVersion), r.minutes ?? '']), 'consultation-my-rounds'),
  );
  return box;
}
