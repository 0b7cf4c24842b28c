// Demo accounts, one per role. Their password is printed in the README, so the server refuses
// it (and every is_demo account) when NODE_ENV=production.
import type { Role } from '../../server/http/actor';

export const DEMO_PASSWORD = 'Sunshine@2026';

export interface DemoAccount {
  username: string;
  role: Role;
  displayName: string;
  /** Which organisation the account belongs to, by organisation code. */
  orgCode: string | null;
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  { username: 'purchaser', role: 'purchaser', displayName: '王采购 (市教育局)', orgCode: 'PU01' },
  { username: 'approver', role: 'approver', displayName: '李处长 (市教育局)', orgCode: 'PU01' },
  { username: 'operator', role: 'operator', displayName: '赵经办 (采购中心)', orgCode: 'PC' },
  { username: 'supplier', role: 'supplier', displayName: '陈经理 (供应商)', orgCode: null },
  { username: 'expert', role: 'expert', displayName: '刘专家', orgCode: null },
  { username: 'finance', role: 'finance', displayName: '孙科长 (市财政局)', orgCode: 'FB' },
  { username: 'supervisor', role: 'supervisor', displayName: '周监督 (监管办)', orgCode: 'SO' },
  { username: 'admin', role: 'admin', displayName: '系统管理员', orgCode: null },
];
