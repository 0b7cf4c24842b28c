// The logged-in user, shared by the views.
export interface User {
  id: number;
  username: string;
  displayName: string;
  roles: string[];
  orgId: number | null;
  supplierId: number | null;
  locale: string;
  timeZone: string;
}

export const session: { user: User | null; serverOffsetMs: number } = { user: null, serverOffsetMs: 0 };

export function hasRole(...roles: string[]): boolean {
  return !!session.user?.roles.some((r) => roles.includes(r));
}
