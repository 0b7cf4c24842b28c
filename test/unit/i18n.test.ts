import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { zhCN } from '../../client/src/i18n/zh-CN';
import { en } from '../../client/src/i18n/en';

// Every string shown in the UI exists in both languages.
describe('client translations', () => {
  it('core catalogues have the same keys', () => {
    expect(Object.keys(en).sort()).to.deep.equal(Object.keys(zhCN).sort());
  });

  it('every feature messages.ts has the same keys in zh-CN and en', async () => {
    const root = path.resolve('client/src/views');
    const files: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name === 'messages.ts' && files.push(path.join(d, e.name))));
    walk(root);
    for (const f of files) {
      const { messages } = await import(f);
      expect(Object.keys(messages.en).sort(), f).to.deep.equal(Object.keys(messages['zh-CN']).sort());
    }
  });

  it('components use t() for every key they name, and each key exists', () => {
    const all = new Set(Object.keys(zhCN));
    const root = path.resolve('client/src/views');
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));
    const sources = [...walk(root), path.resolve('client/src/main.ts')];
    const featureKeys = new Set<string>();
    for (const f of sources.filter((x) => x.endsWith('messages.ts'))) {
      const txt = fs.readFileSync(f, 'utf8');
      for (const m of txt.matchAll(/'([\w.-]+)':/g)) featureKeys.add(m[1]);
    }
    for (const f of sources.filter((x) => !x.endsWith('messages.ts'))) {
      const txt = fs.readFileSync(f, 'utf8');
      for (const m of txt.matchAll(/\bt\('([\w.-]+)'/g)) expect(all.has(m[1]) || featureKeys.has(m[1]), `${path.basename(f)}: ${m[1]}`).to.equal(true);
    }
  });
});
