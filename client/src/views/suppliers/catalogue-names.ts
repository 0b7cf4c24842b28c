// Catalogue codes are shown by their names in the user's language: one fetch of the public
// catalogue per page load, shared by every view that names categories.
import { api } from '../../api';
import { locale } from '../../i18n';

export interface CatalogueEntry {
  code: string;
  parentCode: string | null;
  kind: string;
  nameZh: string;
  nameEn: string;
  frameworkAgreement: boolean;
}

let cache: Promise<CatalogueEntry[]> | null = null;

export function catalogue(): Promise<CatalogueEntry[]> {
  if (!cache) cache = api<{ items: CatalogueEntry[] }>('GET', '/api/catalogue').then((r) => r.items, (e) => { cache = null; throw e; });
  return cache;
}

export function entryName(e: Pick<CatalogueEntry, 'nameZh' | 'nameEn'>): string {
  return locale() === 'en' ? e.nameEn : e.nameZh;
}

/** code → name in the current language; a code not in the catalogue is shown as it is. */
export async function categoryNamer(): Promise<(code: string) => string> {
  const byCode = new Map((await catalogue().catch(() => [])).map((c) => [c.code, c]));
  return (code) => {
    const c = byCode.get(code);
    return c ? entryName(c) : code;
  };
}
