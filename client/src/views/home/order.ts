// The home screen's items (GET /api/home) and their order on screen; no DOM here, so tests use it too.
export interface WorkItem {
  key: string;
  role: string;
  count: number;
  href: string;
  dueAt?: string | null;
  overdue?: number;
  severity?: string;
}

/** Overdue work first, then the server's order (kinds of work grouped as the procedure runs). */
export function urgentFirst(items: WorkItem[]): WorkItem[] {
  return items
    .map((i, n) => ({ i, n }))
    .sort((a, b) => Number((b.i.overdue ?? 0) > 0) - Number((a.i.overdue ?? 0) > 0) || a.n - b.n)
    .map((x) => x.i);
}
