// Red-flag rules on how a tender's committee evaluated (issue 16): pure functions over the
// evaluation's timeline (from the audit trail) and its score sheets; the engine gathers both.
import type { Finding } from './platform';

/** What the rules read of one timeline entry (see supervision/evaluation/timeline.ts). */
export interface EvalStep {
  seq: number;
  at: string;
  kind: string;
  action: string;
  expertId: number | null;
  bidId: number | null;
  actorName?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface EvalTender {
  tenderId: number;
  title: string;
  orgId: number | null;
}

const subject = (t: EvalTender) => ({ subjectType: 'tender', subjectId: String(t.tenderId), processKey: `tender:${t.tenderId}`, orgId: t.orgId });
const MIN = 60_000;

/** SV12 A member scored a bid whose documents they had not opened (no `bid_viewed` before the score). */
export function scoredUnopened(t: EvalTender, steps: EvalStep[]): Finding[] {
  const opened = new Set<string>();
  const out = new Map<string, Finding>();
  for (const s of steps) {
    if (s.expertId === null || s.bidId === null) continue;
    const k = `${s.expertId}:${s.bidId}`;
    if (s.kind === 'bid_opened') opened.add(k);
    else if (s.kind === 'score' && !opened.has(k) && !out.has(k)) {
      out.set(k, { subjectKey: `tender:${t.tenderId}:expert:${s.expertId}:bid:${s.bidId}`, ...subject(t), params: { process: t.title, expert: s.actorName ?? String(s.expertId), bidId: s.bidId }, evidence: { expertId: s.expertId, expert: s.actorName ?? null, bidId: s.bidId, scoredAt: s.at, scoreEventSeq: s.seq, openedBefore: false } });
    }
  }
  return [...out.values()];
}

/** Which criteria a score change moved, in points (criterion keys; the engine names them). */
function scoreChanges(before: Record<string, number> | null, after: Record<string, number>): Array<{ criterion: string; before: number | null; after: number | null }> {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])];
  return keys.filter((k) => before?.[k] !== after[k]).map((k) => ({ criterion: k, before: typeof before?.[k] === 'number' ? before[k] / 1000 : null, after: typeof after[k] === 'number' ? after[k] / 1000 : null }));
}

/** SV13 A member's score changed after that member had submitted their scores. */
export function scoreChangedAfterSubmission(t: EvalTender, steps: EvalStep[]): Finding[] {
  const submittedAt = new Map<number, string>();
  const returned = new Map<number, string>();
  const out = new Map<string, Finding>();
  for (const s of steps) {
    if (s.expertId === null) continue;
    if (s.kind === 'submitted') submittedAt.set(s.expertId, s.at);
    else if (s.action === 'tender.evaluation.scores_returned') returned.set(s.expertId, String((s.after as any)?.reason ?? ''));
    else if (s.kind === 'score' && submittedAt.has(s.expertId) && s.bidId !== null) {
      const k = `${s.expertId}:${s.bidId}`;
      if (out.has(k)) continue;
      out.set(k, {
        subjectKey: `tender:${t.tenderId}:expert:${s.expertId}:bid:${s.bidId}:changed`,
        ...subject(t),
        params: { process: t.title, expert: s.actorName ?? String(s.expertId), bidId: s.bidId },
        evidence: { expertId: s.expertId, expert: s.actorName ?? null, bidId: s.bidId, submittedAt: submittedAt.get(s.expertId)!, changedAt: s.at, changes: scoreChanges((s.before as any)?.scoresMilli ?? null, (s.after as any)?.scoresMilli ?? {}), returnReason: returned.get(s.expertId) ?? null },
      });
    }
  }
  return [...out.values()];
}

export interface ScoreSheet {
  expertId: number;
  expertName?: string | null;
  bidId: number;
  /** Points per criterion in thousandths. */
  scoresMilli: Record<string, number>;
}

/**
 * SV14 评分畸高畸低: on one bid and criterion, a member's points are far from the rest of the
 * committee's: |x − mean(others)| > spreadMultiple × max(sd(others), minimumSpreadShare × weight).
 * The floor keeps a committee that agrees exactly from flagging every half-point difference.
 */
export function outlierScores(t: EvalTender, sheets: ScoreSheet[], weights: Record<string, number>, th: { spreadMultiple: number; minimumSpreadShare: number; minimumMembers: number }): Finding[] {
  const out: Finding[] = [];
  const byBid = new Map<number, ScoreSheet[]>();
  for (const s of sheets) byBid.set(s.bidId, [...(byBid.get(s.bidId) ?? []), s]);
  for (const [bidId, rows] of byBid) {
    if (rows.length < th.minimumMembers) continue;
    for (const [criterion, weight] of Object.entries(weights)) {
      const vals = rows.filter((r) => typeof r.scoresMilli[criterion] === 'number');
      if (vals.length < th.minimumMembers) continue;
      for (const r of vals) {
        const others = vals.filter((o) => o !== r).map((o) => o.scoresMilli[criterion] / 1000);
        const mean = others.reduce((a, b) => a + b, 0) / others.length;
        const sd = Math.sqrt(others.reduce((a, b) => a + (b - mean) ** 2, 0) / others.length);
        const spread = Math.max(sd, th.minimumSpreadShare * weight);
        const x = r.scoresMilli[criterion] / 1000;
        const distance = Math.abs(x - mean);
        if (distance > th.spreadMultiple * spread) {
          out.push({
            subjectKey: `tender:${t.tenderId}:expert:${r.expertId}:bid:${bidId}:${criterion}`,
            ...subject(t),
            params: { process: t.title, expert: r.expertName ?? String(r.expertId), bidId, criterion, points: round(x), othersMean: round(mean) },
            evidence: { expertId: r.expertId, expert: r.expertName ?? null, bidId, criterion, weight, points: round(x), othersMean: round(mean), othersSd: round(sd), spreadUsed: round(spread), distance: round(distance), aboveOthers: x > mean },
          });
        }
      }
    }
  }
  return out;
}

/**
 * SV15 The committee finished implausibly fast for the documents' size: the time from its first
 * evaluation step (a bid opened or scored) to the last member's submission is shorter than
 * bids × minutesPerBid + megabytes × minutesPerMegabyte.
 */
export function implausiblyFastCommittee(t: EvalTender, steps: EvalStep[], docs: { bids: number; bytes: number }, th: { minutesPerBid: number; minutesPerMegabyte: number }): Finding[] {
  const work = steps.filter((s) => s.kind === 'bid_opened' || s.kind === 'score');
  const submissions = steps.filter((s) => s.kind === 'submitted');
  if (!work.length || !submissions.length || docs.bids === 0) return [];
  const start = Math.min(...work.map((s) => Date.parse(s.at)));
  const end = Math.max(...submissions.map((s) => Date.parse(s.at)));
  const minutes = Math.max(0, (end - start) / MIN);
  const megabytes = docs.bytes / 1_048_576;
  const required = docs.bids * th.minutesPerBid + megabytes * th.minutesPerMegabyte;
  if (minutes >= required) return [];
  return [{ subjectKey: `tender:${t.tenderId}:fast`, ...subject(t), params: { process: t.title, minutes: round(minutes, 1), required: round(required, 1) }, evidence: { startedAt: new Date(start).toISOString(), finishedAt: new Date(end).toISOString(), minutes: round(minutes, 1), requiredMinutes: round(required, 1), bids: docs.bids, megabytes: round(megabytes, 2), members: new Set(submissions.map((s) => s.expertId)).size } }];
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
