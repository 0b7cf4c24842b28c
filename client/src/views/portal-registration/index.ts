// Public self-registration (no login): company, credit code (check character verified here and
// on the server), categories, brands and models, a contact, and the login for the new account.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, locale } from '../../i18n';
import { isValidCreditCode } from '../../../../server/execution/suppliers/credit-code';
import { field, input, select, showError, errorLine } from '../suppliers/ui';
import { parseBrands } from '../suppliers/my-company';

interface Category {
  code: string;
  nameZh: string;
  nameEn: string;
}

export function supplierRegistrationView(): HTMLElement {
  const root = h('section', { class: 'registration', 'data-testid': 'supplier-registration' });
  const name = input('reg-name', { required: true, minlength: 2 });
  const code = input('reg-credit-code', { required: true, maxlength: 18, autocomplete: 'off' });
  const codeHint = h('small', { class: 'error', 'data-testid': 'reg-credit-code-hint' });
  code.addEventListener('input', () => {
    const v = code.value.trim().toUpperCase();
    codeHint.textContent = v.length === 18 && !isValidCreditCode(v) ? t('portalRegistration.creditCodeInvalid') : '';
  });
  const rep = input('reg-legal-rep', { required: true });
  const size = select('reg-size', (['micro', 'small', 'medium', 'large'] as const).map((x) => [x, t(`size.${x}`)]), 'small');
  const capital = input('reg-capital', { type: 'number', min: 0 });
  const address = input('reg-address', { required: true });
  const region = input('reg-region', { required: true, value: '330100', pattern: '[0-9]{6}', inputmode: 'numeric' });
  const cats = h('div', { class: 'checks', 'data-testid': 'reg-categories' });
  const brands = h('textarea', { name: 'reg-brands', 'data-testid': 'reg-brands', rows: 3 });
  const cName = input('reg-contact-name', { required: true });
  const cPos = input('reg-contact-position', { required: true });
  const cPhone = input('reg-contact-phone', { required: true });
  const cEmail = input('reg-contact-email', { type: 'email', required: true });
  const username = input('reg-username', { required: true, autocomplete: 'username' });
  const password = input('reg-password', { type: 'password', required: true, autocomplete: 'new-password', minlength: 10 });
  const displayName = input('reg-display-name', { required: true });
  const err = errorLine();
  void api<{ items: Category[] }>('GET', '/api/catalogue').then((r) =>
    mount(
      cats,
      r.items
        .filter((c) => c.code.length > 3)
        .map((c) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: c.code, 'data-testid': `reg-cat-${c.code}` }), ` ${c.code} ${locale() === 'en' ? c.nameEn : c.nameZh}`)),
    ),
  );
  const onsubmit = async (e: Event) => {
    e.preventDefault();
    err.textContent = '';
    const creditCode = code.value.trim().toUpperCase();
    if (!isValidCreditCode(creditCode)) {
      err.textContent = t('portalRegistration.creditCodeInvalid');
      return;
    }
    const categories = [...cats.querySelectorAll<HTMLInputElement>('input:checked')].map((x) => x.value);
    try {
      await api('POST', '/api/portal/supplier-registrations', {
        qualifications: { name: name.value.trim(), creditCode, legalRep: rep.value.trim(), size: size.value, registeredCapitalWan: capital.value ? Number(capital.value) : null, categories, brands: parseBrands(brands.value) },
        details: { address: address.value.trim(), region: region.value.trim(), website: null, contacts: [{ name: cName.value.trim(), position: cPos.value.trim(), phone: cPhone.value.trim(), email: cEmail.value.trim() }] },
        account: { username: username.value.trim(), password: password.value, displayName: displayName.value.trim() },
      });
      mount(root, h('h1', {}, t('portalRegistration.title')), h('p', { class: 'notice', 'data-testid': 'registration-done' }, t('portalRegistration.done', { username: username.value.trim() })), h('p', {}, h('a', { href: '/login', 'data-link': '' }, t('portal.login'))));
    } catch (x) {
      showError(err, x);
    }
  };
  mount(
    root,
    h('h1', {}, t('portalRegistration.title')),
    h('p', { class: 'muted' }, t('portalRegistration.intro')),
    h(
      'form',
      { class: 'card wide', onsubmit },
      h('h2', {}, t('portalRegistration.company')),
      field(t('portalRegistration.name'), name),
      field(t('portalRegistration.creditCode'), code),
      codeHint,
      field(t('portalRegistration.legalRep'), rep),
      field(t('portalRegistration.size'), size),
      field(t('portalRegistration.capital'), capital),
      field(t('portalRegistration.address'), address),
      field(t('portalRegistration.region'), region),
      h('h2', {}, t('portalRegistration.supply')),
      h('div', {}, h('span', {}, t('portalRegistration.categories')), cats),
      field(t('portalRegistration.brands'), brands),
      h('h2', {}, t('portalRegistration.contact')),
      field(t('suppliers.contact.name'), cName),
      field(t('suppliers.contact.position'), cPos),
      field(t('suppliers.contact.phone'), cPhone),
      field(t('suppliers.contact.email'), cEmail),
      h('h2', {}, t('portalRegistration.account')),
      field(t('portalRegistration.username'), username),
      field(t('portalRegistration.password'), password),
      field(t('portalRegistration.displayName'), displayName),
      err,
      h('button', { type: 'submit', 'data-testid': 'reg-submit' }, t('portalRegistration.submit')),
    ),
  );
  return root;
}
