// Reads for contracts.
import { isoFromDb } from '../../db/time';

export const contractFromRow = (c: any) => ({
  id: c.id,
  ref: c.ref,
  projectId: c.project_id,
  supplierId: c.supplier_id,
  supplierName: c.supplier_name ?? undefined,
  amountFen: Number(c.amount_fen),
  terms: c.terms,
  status: c.status,
  purchaserSignedAt: isoFromDb(c.purchaser_signed_at),
  supplierSignedAt: isoFromDb(c.supplier_signed_at),
  acceptedAt: isoFromDb(c.accepted_at),
  acceptanceNote: c.acceptance_note,
  createdAt: isoFromDb(c.created_at),
});
