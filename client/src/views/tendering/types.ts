// The tender as GET /api/tenders/:id returns it.
export interface OpeningLine {
  bidId: number;
  supplierId: number;
  supplierName: string | null;
  receiptNo: string;
  submittedAt: string;
  decryptionStatus: 'pending' | 'decrypted' | 'invalid';
  decryptedAt: string | null;
  priceFen: number | null;
  invalidReason: string | null;
  status: string;
}
export interface EvaluationLine extends OpeningLine {
  evaluatedPriceFen: number | null;
  priceScore: number | null;
  techScore: number | null;
  totalScore: number | null;
  rank: number | null;
  recommended: boolean;
  abnormalStatus: string | null;
  abnormalExplanation: string | null;
  disqualifiedReason: string | null;
}
/** The evaluation report (canonical JSON, confirmed by every member by its SHA-256). */
export interface EvaluationReport {
  sha256: string;
  at: string;
  content: {
    reference: string;
    method: string;
    priceWeight: number;
    smeDeductionPct: number;
    committee: Array<{ expertId: number; name: string; chair: boolean }>;
    ranking: Array<{ bidId: number; rank: number; supplierName: string | null; priceFen: number; evaluatedPriceFen: number; smallBusiness?: boolean; priceScore: number; techScore: number; technicalScore?: number; commercialScore?: number; totalScore: number; recommended: boolean }>;
    disqualified: Array<{ bidId: number; supplierName: string | null; reason: string; detail: string | null }>;
    invalid: Array<{ bidId: number; supplierName: string | null; reason: string }>;
  };
}
export interface TenderDetail {
  id: number;
  reference: string;
  projectId: number | null;
  title: string;
  kind: string;
  categoryCode: string;
  purchasingOrgId: number | null;
  budgetFen: number;
  method: string;
  priceWeight: number;
  smeDeductionPct: number;
  abnormalLowPct: number;
  description: string;
  requirements: Array<{ key: string; text: string }>;
  qualifications: Array<{ key: string; text: string }>;
  criteria: Array<{ key: string; name: string; kind: string; weight: number }>;
  status: string;
  bidDeadline: string;
  openingAt: string;
  decryptionEndsAt: string | null;
  awardAmountFen: number | null;
  awardedBidId: number | null;
  challengeEndsAt: string | null;
  failureReason: string | null;
  notices: Array<{ id: number; kind: string; title: string; body: unknown; deadlineAfter: string | null; publishedAt: string }>;
  /** The opening record: published in one step when every bid is resolved or the window closes. */
  openingRecord: OpeningLine[] | null;
  /** While the decryption window is open: counts only. */
  openingProgress: { bids: number; resolved: number; pending: number } | null;
  evaluation: EvaluationLine[] | null;
  report: EvaluationReport | null;
  myBids: MyBid[] | null;
  /** During the decryption window: keys a bidder may hand in for its bid. */
  maxKeyAttempts: number | null;
  onCommittee: boolean;
}

/** One of the supplier's own submissions (receipt, status; its envelope while sealed). */
export interface MyBid {
  id: number;
  receiptNo: string;
  status: string;
  submittedAt: string;
  withdrawnAt: string | null;
  digest: string;
  priceFen: number | null;
  invalidReason: string | null;
  abnormalStatus: string | null;
  keyAttempts: number;
  envelope: string | null;
}
