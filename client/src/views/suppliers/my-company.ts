// The supplier's own profile: review state, contacts (changed at once) and qualifications
// (a change goes back to review; an approved profile stays in force meanwhile).
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t } from '../../i18n';
import { field, input, select, showError, errorLine } from './ui';
import { qualificationFacts, type SupplierDetail } from './detail';

export function parseBrands(text: string): Array<{ categoryCode: string; brand: string; model: string }> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [categoryCode, brand, ...model] = l.split(/[,，]/).map((x) => x.trim());
      return { categoryCode, brand, model: model.join(',') };
    });
}

export const parseCodes = (text: string) => [...new Set(text.split(/[,，\s]+/).map((x) => x.trim().toUpperCase()).filter(Boolean))];

export function myCompanyView(): HTMLElement {
  const root = h('section', { 'data-testid': 'my-company' }, h('h1', {}, t('nav.myCompany')));
  const load = async () => {
    const s = await api<SupplierDetail>('GET', '/api/my/supplier');
    const err = errorLine();
    const saved = h('p', { class: 'badge ok', 'data-testid': 'saved' });
    const c = s.contacts[0] ?? { name: s.contactName, position: '', phone: s.contactPhone, email: s.contactEmail };
    const address = input('my-address', { value: s.address, required: true });
    const cName = input('my-contact-name', { value: c.name, required: true });
    const cPos = input('my-contact-position', { value: c.position || '-', required: true });
    const cPhone = input('my-contact-phone', { value: c.phone, required: true });
    const cEmail = input('my-contact-email', { value: c.email, type: 'email', required: true });
    const contactsForm = h(
      'form',
      {
        class: 'card wide',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            await api('PUT', '/api/my/supplier/contacts', { address: address.value, region: s.region, contacts: [{ name: cName.value, position: cPos.value, phone: cPhone.value, email: cEmail.value }] });
            saved.textContent = t('suppliers.saved');
          } catch (x) {
            showError(err, x);
          }
        },
      },
      h('h2', {}, t('suppliers.my.editContacts')),
      field(t('suppliers.address'), address),
      field(t('suppliers.contact.name'), cName),
      field(t('suppliers.contact.position'), cPos),
      field(t('suppliers.contact.phone'), cPhone),
      field(t('suppliers.contact.email'), cEmail),
      h('button', { type: 'submit', 'data-testid': 'save-contacts' }, t('suppliers.my.submitContacts')),
    );
    const name = input('my-name', { value: s.name, required: true });
    const code = input('my-credit-code', { value: s.creditCode, required: true, maxlength: 18 });
    const rep = input('my-legal-rep', { value: s.legalRep, required: true });
    const size = select('my-size', (['micro', 'small', 'medium', 'large'] as const).map((x) => [x, t(`size.${x}`)]), s.size);
    const cats = input('my-categories', { value: s.categories.join(', ') });
    const brands = h('textarea', { name: 'my-brands', 'data-testid': 'my-brands', rows: 4 }, s.brands.map((b) => `${b.categoryCode},${b.brand},${b.model}`).join('\n'));
    const qualForm = h(
      'form',
      {
        class: 'card wide',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          try {
            await api('PUT', '/api/my/supplier/qualifications', { name: name.value, creditCode: code.value.trim().toUpperCase(), legalRep: rep.value, size: size.value, registeredCapitalWan: s.registeredCapitalWan, categories: parseCodes(cats.value), brands: parseBrands(brands.value) });
            await load();
          } catch (x) {
            showError(err, x);
          }
        },
      },
      h('h2', {}, t('suppliers.my.editQualifications')),
      field(t('suppliers.col.name'), name),
      field(t('suppliers.col.creditCode'), code),
      field(t('suppliers.legalRep'), rep),
      field(t('suppliers.col.size'), size),
      field(t('suppliers.categories'), cats, t('suppliers.my.categoriesHint')),
      field(t('suppliers.brands'), brands, t('suppliers.my.brandsHint')),
      h('button', { type: 'submit', 'data-testid': 'submit-qualifications' }, t('suppliers.my.submitQualifications')),
    );
    mount(
      root,
      h('h1', {}, t('nav.myCompany')),
      s.blacklisted ? h('p', { class: 'error' }, t('suppliers.blacklisted')) : null,
      s.pendingChange ? h('p', { class: 'notice', 'data-testid': 'my-pending-change' }, t('suppliers.my.pendingChange')) : null,
      qualificationFacts(s),
      err,
      saved,
      h('div', { class: 'forms' }, contactsForm, qualForm),
    );
  };
  void load().catch((e) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  return root;
}
