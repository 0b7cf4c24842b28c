// Demo accounts, one per role. Their password is printed in the README, so the server refuses
// it (and every is_demo account) when NODE_ENV=production.
import type { Role } from '../../server/http/actor';

export const DEMO_PASSWORD = 'Sunshine@2026';

export interface DemoAccount {
  username: string;
  role: Role;
  /** The person; the seed adds the unit's (or the demo supplier's) name as stored: `王采购（阳光市教育局）`. */
  displayName: string;
  /** Which organisation the account belongs to, by organisation code. */
  orgCode: string | null;
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { username: 'purchaser', role: 'purchaser', displayName: '王采购', orgCode: 'PU01' },
  { username: 'approver', role: 'approver', displayName: '李处长', orgCode: 'PU01' },
  { username: 'operator', role: 'operator', displayName: '赵经办', orgCode: 'PC' },
  { username: 'supplier', role: 'supplier', displayName: '陈经理', orgCode: null },
  { username: 'expert', role: 'expert', displayName: '刘专家', orgCode: null },
  { username: 'finance', role: 'finance', displayName: '孙科长', orgCode: 'FB' },
  { username: 'supervisor', role: 'supervisor', displayName: '周监督', orgCode: 'SO' },
  { username: 'admin', role: 'admin', displayName: '系统管理员', orgCode: null },
];
