// Pure checks on a requisition's content.
import { RuleError } from '../../http/errors';

export interface ItemInput {
  categoryCode: string;
  name: string;
  specification: string;
  quantity: number;
  unit: string;
  unitPriceFen: number;
}

export function itemAmount(i: ItemInput): number {
  const a = i.quantity * i.unitPriceFen;
  if (!Number.isSafeInteger(a)) throw new RuleError('AMOUNT_TOO_LARGE', 'An item amount exceeds what can be represented exactly');
  return a;
}

export function totalOf(items: ItemInput[]): number {
  const t = items.reduce((s, i) => s + itemAmount(i), 0);
  if (!Number.isSafeInteger(t)) throw new RuleError('AMOUNT_TOO_LARGE', 'The total exceeds what can be represented exactly');
  return t;
}

/** The main item (largest amount) decides the requisition's category for method and split checks. */
export function mainItem(items: ItemInput[]): ItemInput {
  return items.reduce((best, i) => (itemAmount(i) > itemAmount(best) ? i : best), items[0]);
}

export const EDITABLE = ['draft', 'returned'] as const;
export const CANCELLABLE = ['draft', 'submitted', 'returned'] as const;
