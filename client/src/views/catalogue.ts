import { h, mount } from '../dom';
import { t, locale, type MessageKey } from '../i18n';
import { api } from '../api';

export function catalogueView(): HTMLElement {
  const body = h('tbody');
  const root = h(
    'section',
    { 'data-testid': 'catalogue' },
    h('h1', {}, t('nav.catalogue')),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('catalogue.code')), h('th', {}, t('catalogue.name')), h('th', {}, t('catalogue.kind')), h('th', {}, t('catalogue.framework')))), body)),
  );
  void api('GET', '/api/catalogue').then((d) =>
    mount(
      body,
      d.items.map((c: { code: string; nameZh: string; nameEn: string; kind: string; frameworkAgreement: boolean }) =>
        h('tr', {}, h('td', {}, c.code), h('td', {}, locale() === 'en' ? c.nameEn : c.nameZh), h('td', {}, t(`kind.${c.kind}` as MessageKey)), h('td', {}, c.frameworkAgreement ? t('yes') : t('no'))),
      ),
    ),
  );
  return root;
}
