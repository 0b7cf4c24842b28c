// The supplier's side: prepare the bid, seal it in this browser (crypto-js AES-256, key generated
// here or derived from a passphrase), submit ciphertext and digest, keep the key; at the opening,
// hand the key in from the key file or the passphrase.
import { h, mount } from '../../dom';
import { api, ApiError } from '../../api';
import { t } from '../../i18n';
import { session } from '../../session';
import { sealBid, generateBidKey, newPassphraseKdf, keyFileContent, keyFromKeyFile, keyForEnvelope, keyMatchesEnvelope, type BidAttachment } from './sealing';
import { action, docText, errorText, money, readFile, reasonText, table, when, yuanToFen } from './ui';
import type { MyBid, TenderDetail } from './types';
import { deviceId } from '../../device';

// The server's limit (MAX_BID_ATTACHMENT_BYTES in server/execution/tendering/schemas.ts): the
// sealed envelope of 6 MB of files is about 11 MB and must fit the route's 12 MB body limit.
const MAX_ATTACHMENT_BYTES = 6 * 1024 * 1024;

interface ReceiptAnswer { receiptNo: string; digest: string; serverTime: string; replaced: { receiptNo: string; submittedAt: string; digest: string } | null }

function receiptView(r: ReceiptAnswer, keyFile: { name: string; text: string } | null): HTMLElement {
  const link = keyFile ? h('a', { href: URL.createObjectURL(new Blob([keyFile.text], { type: 'application/json' })), download: keyFile.name, 'data-testid': 'tender-key-download', class: 'button' }, t('tendering.bid.downloadKey')) : null;
  return h(
    'div',
    { class: 'card tender-receipt tender-wide', 'data-testid': 'tender-receipt' },
    h('h3', {}, t('tendering.bid.receipt')),
    h('dl', { class: 'facts' }, h('dt', {}, t('tendering.bid.receiptNo')), h('dd', { 'data-testid': 'tender-receipt-no' }, r.receiptNo), h('dt', {}, t('tendering.bid.digest')), h('dd', { class: 'mono', 'data-testid': 'tender-receipt-digest' }, r.digest), h('dt', {}, t('tendering.bid.serverTime')), h('dd', {}, when(r.serverTime))),
    // A replacement says so, naming the earlier bid as its own receipt named it.
    r.replaced ? h('p', { class: 'warning', 'data-testid': 'tender-receipt-replaced' }, t('tendering.bid.replacedEarlier', { time: when(r.replaced.submittedAt), receiptNo: r.replaced.receiptNo, digest: r.replaced.digest })) : null,
    link,
    h('p', { class: 'muted small' }, t('tendering.bid.keepKey')),
  );
}

/** The supplier's own submissions: every receipt with its time, status and digest. */
function myBidsTable(mine: MyBid[]): HTMLElement {
  return table(
    [t('tendering.bid.receiptNo'), t('tendering.submittedAt'), t('tendering.status'), t('tendering.bid.digest')],
    mine.map((b) => [b.receiptNo, when(b.submittedAt), h('span', { 'data-testid': `tender-my-bid-status-${b.receiptNo}`, 'data-status': b.status }, t(`tendering.bid.status.${b.status}`)), h('span', { class: 'mono' }, b.digest)]),
    'tender-my-bids',
  );
}

export function bidForm(d: TenderDetail, _reload: () => void): HTMLElement {
  const root = h('section', { class: 'card tender-wide tender-bid-card', 'data-testid': 'tender-bid-form' });
  const price = h('input', { name: 'price', inputmode: 'decimal', required: true, 'data-testid': 'tender-bid-price' }) as HTMLInputElement;
  const responses = d.requirements.map((r) => ({ key: r.key, input: h('textarea', { rows: 2, 'data-testid': `tender-bid-response-${r.key}` }), label: docText(r.text) }));
  const files = h('input', { type: 'file', multiple: true, 'data-testid': 'tender-bid-files' });
  const modeFile = h('input', { type: 'radio', name: 'keymode', value: 'file', checked: true, 'data-testid': 'tender-keymode-file' });
  const modePass = h('input', { type: 'radio', name: 'keymode', value: 'pass', 'data-testid': 'tender-keymode-pass' });
  const pass1 = h('input', { type: 'password', autocomplete: 'new-password', 'data-testid': 'tender-bid-pass' });
  const pass2 = h('input', { type: 'password', autocomplete: 'new-password', 'data-testid': 'tender-bid-pass2' });
  const out = h('div', {});
  const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'tender-bid-error' });
  const submit = h('button', { type: 'submit', 'data-testid': 'tender-bid-submit' }, t('tendering.bid.seal')) as HTMLButtonElement;
  // A price above the announced budget: the bidder is told before sealing, not stopped (it is their bid).
  const overBudget = h('p', { class: 'warning', role: 'status', 'data-testid': 'tender-bid-over-budget', hidden: true });
  let overBudgetConfirmed = false;
  const checkBudget = () => {
    const fen = yuanToFen(price.value);
    const over = fen !== null && fen > d.budgetFen;
    overBudget.hidden = !over;
    overBudget.textContent = over ? t('tendering.bid.overBudget', { price: money(fen), budget: money(d.budgetFen) }) : '';
    overBudgetConfirmed = false;
    submit.textContent = t('tendering.bid.seal');
    return over;
  };
  price.addEventListener('input', checkBudget);
  // The supplier's own bids, updated in place after a submission or a withdrawal.
  const mineSlot = h('div', { 'data-testid': 'tender-my-bids-slot' });
  const renderMine = (mine: MyBid[]) => mount(mineSlot, mine.length ? myBidsTable(mine) : null, mine.some((b) => b.status === 'sealed') ? withdrawControl(mine.find((b) => b.status === 'sealed')!) : null);
  const refreshMine = async () => renderMine((await api<{ items: MyBid[] }>('GET', `/api/tenders/${d.id}/bids/mine`)).items);
  /** Withdrawing asks first: a withdrawn bid takes no part unless a new one is submitted before the deadline. */
  const withdrawControl = (sealed: MyBid): HTMLElement => {
    const box = h('div', { class: 'tender-confirm', 'data-testid': 'tender-bid-withdraw-confirm-box', hidden: true });
    mount(
      box,
      h('p', { class: 'warning' }, t('tendering.bid.withdrawConfirm', { receiptNo: sealed.receiptNo, time: when(sealed.submittedAt) })),
      action(t('tendering.bid.withdrawYes'), 'tender-bid-withdraw-confirm', async () => {
        await api('POST', `/api/tenders/${d.id}/bids/withdraw`);
        mount(out);
        await refreshMine();
      }),
      h('button', { type: 'button', 'data-testid': 'tender-bid-withdraw-cancel', onclick: () => void (box.hidden = true) }, t('tendering.bid.withdrawNo')),
    );
    return h('div', {}, h('p', {}, h('button', { type: 'button', 'data-testid': 'tender-bid-withdraw', onclick: () => void (box.hidden = false) }, t('tendering.bid.withdraw')), ' ', h('span', { class: 'muted small' }, t('tendering.bid.replaceHint'))), box);
  };
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    err.textContent = '';
    const priceFen = yuanToFen(price.value);
    if (!priceFen) return void (err.textContent = t('tendering.form.badMoney'));
    if (priceFen > d.budgetFen && !overBudgetConfirmed) {
      // Told once more at the button; a second click seals at this price.
      checkBudget();
      overBudgetConfirmed = true;
      submit.textContent = t('tendering.bid.sealAnyway');
      return;
    }
    const attachments: BidAttachment[] = [];
    let bytes = 0;
    for (const f of Array.from(files.files ?? [])) {
      bytes += f.size;
      if (bytes > MAX_ATTACHMENT_BYTES) return void (err.textContent = t('tendering.bid.tooLarge'));
      attachments.push({ name: f.name, type: f.type || 'application/octet-stream', dataBase64: await readFile(f, 'base64') });
    }
    const usePass = modePass.checked;
    if (usePass && (pass1.value.length < 8 || pass1.value !== pass2.value)) return void (err.textContent = t('tendering.bid.passphraseMismatch'));
    submit.disabled = true;
    submit.textContent = t('tendering.bid.sealing');
    try {
      // Sealing is synchronous CPU work (PBKDF2 for a passphrase): let the label paint first.
      await new Promise((r) => setTimeout(r, 20));
      const plain = { tenderId: d.id, supplierId: session.user!.supplierId!, priceFen, responses: Object.fromEntries(responses.map((r) => [r.key, r.input.value])), attachments };
      const sealed = usePass ? sealBid(plain, { passphrase: pass1.value, kdf: newPassphraseKdf() }) : sealBid(plain, { keyHex: generateBidKey() });
      const receipt = await api<ReceiptAnswer>('POST', `/api/tenders/${d.id}/bids`, { envelope: sealed.envelope, digest: sealed.digest, deviceId: deviceId() });
      // Only now, with the receipt, does the key file exist; the key never went to the server.
      const keyFile = usePass ? null : { name: `${receipt.receiptNo}.bidkey.json`, text: keyFileContent({ tenderId: d.id, tenderReference: d.reference, receiptNo: receipt.receiptNo, digest: sealed.digest, keyHex: sealed.keyHex }) };
      mount(out, receiptView(receipt, keyFile));
      price.value = '';
      pass1.value = pass2.value = '';
      checkBudget();
      await refreshMine();
    } catch (e2) {
      err.textContent = errorText(e2);
    } finally {
      submit.disabled = false;
      submit.textContent = overBudgetConfirmed ? t('tendering.bid.sealAnyway') : t('tendering.bid.seal');
    }
  };
  renderMine(d.myBids ?? []);
  mount(
    root,
    h('h2', {}, t('tendering.bid.title')),
    mineSlot,
    h(
      'form',
      { onsubmit, class: 'tender-form' },
      h('p', { class: 'muted small' }, t('tendering.bid.sealedNote')),
      h('p', { class: 'muted small', 'data-testid': 'tender-bid-budget' }, t('tendering.bid.budgetNote', { budget: money(d.budgetFen) })),
      h('label', {}, t('tendering.bid.price'), price),
      overBudget,
      responses.map((r) => h('label', {}, t('tendering.bid.response', { requirement: r.label }), r.input)),
      h('label', {}, t('tendering.bid.attachments'), files),
      h('fieldset', {}, h('legend', {}, t('tendering.bid.keyMode')), h('label', { class: 'inline' }, modeFile, t('tendering.bid.keyFile')), h('label', { class: 'inline' }, modePass, t('tendering.bid.passphrase')), h('label', {}, t('tendering.bid.passphrase'), pass1), h('label', {}, t('tendering.bid.passphrase2'), pass2)),
      submit,
      err,
    ),
    out,
  );
  return root;
}

/**
 * At the opening: the bidder hands in its own key (from the key file, or derived from the
 * passphrase here). The key is checked against the sealed envelope in this browser first: a
 * mistyped passphrase or another bid's key file is caught before it is sent and uses no attempt.
 * A wrong key the server refuses leaves the bid sealed; the attempts left are shown.
 */
export function decryptForm(d: TenderDetail, reload: () => void): HTMLElement {
  const keyFile = h('input', { type: 'file', accept: '.json,application/json', 'data-testid': 'tender-decrypt-file' });
  const pass = h('input', { type: 'password', autocomplete: 'off', 'data-testid': 'tender-decrypt-pass' });
  const out = h('p', { role: 'status', 'data-testid': 'tender-decrypt-message' });
  const mine = d.myBids?.find((b) => b.status === 'sealed');
  const max = d.maxKeyAttempts ?? 0;
  const left = (used: number) => Math.max(0, max - used);
  const attempts = h('p', { class: 'muted small', 'data-testid': 'tender-decrypt-attempts' }, max ? t('tendering.decrypt.attemptsLeft', { left: left(mine?.keyAttempts ?? 0), max }) : '');
  const say = (text: string, kind: 'warning' | 'error' | 'ok') => {
    out.className = kind;
    out.dataset.kind = kind;
    out.textContent = text;
  };
  return h(
    'section',
    { class: 'card tender-wide', 'data-testid': 'tender-decrypt' },
    h('h2', {}, t('tendering.decrypt.title')),
    h('p', { class: 'muted' }, `${t('tendering.decryptionEnds')}: ${when(d.decryptionEndsAt)}`),
    attempts,
    h('label', {}, t('tendering.decrypt.keyFile'), keyFile),
    h('label', {}, t('tendering.decrypt.passphrase'), pass),
    action(t('tendering.decrypt.submit'), 'tender-decrypt-submit', async () => {
      out.textContent = '';
      const envelope = mine?.envelope;
      if (!envelope) return say(t('tendering.decrypt.noSealedBid'), 'error');
      let key: string;
      const file = keyFile.files?.[0];
      try {
        if (file) key = keyFromKeyFile(await readFile(file, 'text'));
        else if (pass.value) key = keyForEnvelope(envelope, { passphrase: pass.value });
        else return say(t('tendering.decrypt.needSecret'), 'warning');
      } catch {
        return say(t(file ? 'tendering.decrypt.notKeyFile' : 'tendering.decrypt.sealedWithFile'), 'warning');
      }
      // Checked here first: a wrong key is not sent, and costs no attempt.
      if (!keyMatchesEnvelope(envelope, key)) return say(t(file ? 'tendering.decrypt.localWrongFile' : 'tendering.decrypt.localWrongPass'), 'warning');
      try {
        const r = await api<{ status: string; priceFen?: number; reason?: string }>('POST', `/api/tenders/${d.id}/opening/key`, { key });
        if (r.status === 'decrypted') say(t('tendering.decrypt.ok', { price: money(r.priceFen) }), 'ok');
        else say(t('tendering.decrypt.invalid', { reason: reasonText(r.reason ?? null) }), 'error');
        reload();
      } catch (e) {
        if (!(e instanceof ApiError) || !['WRONG_KEY', 'KEY_ATTEMPTS_EXHAUSTED'].includes(e.code)) throw e;
        const det = (e.details ?? {}) as { attemptsLeft?: number; maxAttempts?: number };
        attempts.textContent = t('tendering.decrypt.attemptsLeft', { left: det.attemptsLeft ?? 0, max: det.maxAttempts ?? max });
        say(e.code === 'WRONG_KEY' ? t('tendering.decrypt.wrongKey', { left: det.attemptsLeft ?? 0 }) : t('tendering.decrypt.exhausted'), 'error');
      }
    }),
    out,
  );
}

/** The bidder's own decryption outcome, once its key is handed in. */
export function decryptionOutcome(bid: { status: string; priceFen: number | null; invalidReason: string | null }): HTMLElement {
  const ok = bid.status !== 'invalid';
  // While the window is open the opened price stays sealed on the server: it is read out with all
  // the others in the opening record.
  const text = !ok ? t('tendering.decrypt.invalid', { reason: reasonText(bid.invalidReason) }) : bid.priceFen === null ? t('tendering.decrypt.okSealed') : t('tendering.decrypt.ok', { price: money(bid.priceFen) });
  return h('p', { class: ok ? 'ok' : 'error', 'data-testid': 'tender-decrypt-result', 'data-status': ok ? 'decrypted' : 'invalid' }, text);
}

export function explanationForm(d: TenderDetail, reload: () => void): HTMLElement {
  const text = h('textarea', { rows: 4, 'data-testid': 'tender-explain-text' });
  return h('section', { class: 'card' }, h('h2', {}, t('tendering.explain.title')), text, action(t('tendering.explain.submit'), 'tender-explain-submit', async () => { await api('POST', `/api/tenders/${d.id}/explanation`, { text: text.value }); reload(); }));
}
