// Fixtures for the competition tests and the benchmark: supplier companies with supplier-role
// users in one category and distinct brands, sessions without the login throttle, competitions.
import type { Knex } from 'knex';
import { toDbTime, type Clock } from '../../server/db/time';
import { hashPassword } from '../../server/http/auth/passwords';
import { withCheckChar, CREDIT_CODE_ALPHABET } from '../../server/execution/suppliers/credit-code';
import type { SessionStore } from '../../server/http/auth/sessions';
import { openJobKey } from '../../server/execution/auctions/service';

export interface BidderFixture {
  supplierId: number;
  userId: number;
  username: string;
  brand: string;
  model: string;
}

let hashed: string | null = null;

/** Three credit-code characters from the prefix, so fixtures with different prefixes never clash. */
function tag(prefix: string): string {
  let h = 7;
  for (const ch of prefix) h = (h * 31 + ch.charCodeAt(0)) % 29791;
  return [h % 31, Math.floor(h / 31) % 31, Math.floor(h / 961) % 31].map((k) => CREDIT_CODE_ALPHABET[k]).join('');
}

/** n approved suppliers in `category`, each with its own brand and a supplier-role user. */
export async function createBidders(db: Knex, clock: Clock, n: number, opts: { category?: string; prefix?: string; password?: string } = {}): Promise<BidderFixture[]> {
  const category = opts.category ?? 'A02010104';
  const prefix = opts.prefix ?? 'bidder';
  hashed ??= await hashPassword(opts.password ?? 'Sunshine@2026');
  const now = toDbTime(clock.now());
  const out: BidderFixture[] = [];
  const rows = Array.from({ length: n }, (_, i) => i);
  for (let start = 0; start < rows.length; start += 200) {
    const chunk = rows.slice(start, start + 200);
    await db.transaction(async (tx) => {
      for (const i of chunk) {
        const code = withCheckChar('91330100' + String(i).padStart(6, '0') + tag(prefix));
        const [sid] = await tx('suppliers').insert({
          name: `${prefix} 测试供应商 ${i + 1}`,
          credit_code: code,
          legal_rep: '张三',
          address: '测试路1号',
          region: '330100',
          size: 'small',
          contact_name: '李四',
          contact_phone: '13800000000',
          contact_email: `${prefix}${i}@example.cn`,
          status: 'approved',
          created_at: now,
          updated_at: now,
        });
        const supplierId = Number(sid);
        const brand = `${prefix}-brand-${i + 1}`;
        const model = `M-${i + 1}`;
        await tx('supplier_categories').insert({ supplier_id: supplierId, category_code: category });
        await tx('supplier_brands').insert({ supplier_id: supplierId, category_code: category, brand, model });
        const username = `${prefix}${i + 1}`;
        const [uid] = await tx('users').insert({ username, display_name: `${prefix} ${i + 1}`, password_hash: hashed, supplier_id: supplierId, status: 'active', is_demo: false, locale: 'zh-CN', time_zone: 'Asia/Shanghai', created_at: now });
        await tx('user_roles').insert({ user_id: Number(uid), role: 'supplier' });
        out.push({ supplierId, userId: Number(uid), username, brand, model });
      }
    });
  }
  return out;
}

/** A session cookie for a user, created directly (the login throttle allows 30 logins per IP). */
export async function cookieFor(sessions: SessionStore, userId: number): Promise<{ cookie: string; csrf: string }> {
  const s = await sessions.create(userId, { ip: '127.0.0.1', userAgent: 'auction-tests' });
  return { cookie: `sp_sid=${s.token}`, csrf: s.csrfToken };
}

export function auctionBody(startsAt: Date, over: Record<string, unknown> = {}) {
  return {
    title: '台式计算机网上竞价',
    lotDescription: '国产台式计算机 i5/16G/512G SSD/23.8 英寸显示器，含三年上门保修',
    quantity: 50,
    unit: '台',
    categoryCode: 'A02010104',
    ceilingFen: 25_000_000, // 250,000.00 yuan
    decrementKind: 'absolute',
    decrementValue: 10_000, // 100.00 yuan
    startsAt: startsAt.toISOString(),
    durationSec: 600,
    extensionSec: 60,
    visibility: 'best_price',
    minSuppliers: 3,
    minBrands: 3,
    ...over,
  };
}

/** Far enough ahead that no machine, however loaded, reaches the start while bidders join. */
export const JOIN_LEAD_MS = 10 * 60_000;

/**
 * Brings a competition's start (and its opening job) forward to `at`, by default now. A test
 * creates the competition JOIN_LEAD_MS ahead, lets its bidders join (over HTTP, through several
 * nodes), then calls this: joining closes at the start, and a competition short of bidders at
 * its start fails for good, so a start a few seconds ahead made such tests flaky on a busy machine.
 */
export async function moveStart(db: Knex, auctionId: number, at: Date = new Date()): Promise<Date> {
  const when = toDbTime(at);
  await db('auctions').where({ id: auctionId, status: 'announced' }).update({ starts_at: when });
  const moved = await db('scheduled_jobs').where({ job_key: openJobKey(auctionId), status: 'pending' }).update({ run_at: when });
  if (moved !== 1) throw new Error(`competition ${auctionId}: no pending opening job to move`);
  return at;
}
