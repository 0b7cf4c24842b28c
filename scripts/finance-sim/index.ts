// finance-sim: plays the finance bureau against a running platform.
//   npm run finance-sim -- allocate PU01 2026-PU01-31002 1500000     (yuan; creates or sets the line)
//   npm run finance-sim -- pull [status]                              (payment requests)
//   npm run finance-sim -- pay PAY-2026-000001                        (accepted, then paid)
//   npm run finance-sim -- serve [port] [--fail-first N]              (registers a webhook; pays what arrives,
//                                                                      keeps audit checkpoints in FINANCE_SIM_CHECKPOINTS,
//                                                                      default ./finance-sim-checkpoints.json)
// Environment: SUNSHINE_URL (default http://127.0.0.1:3000), FINANCE_HMAC_SECRET (or DATA_DIR/secrets.json).
import fs from 'node:fs';
import path from 'node:path';
import { FinanceClient, startWebhookReceiver } from './client';
import { CheckpointStore } from './checkpoints';

function secret(): string {
  if (process.env.FINANCE_HMAC_SECRET) return process.env.FINANCE_HMAC_SECRET;
  const file = path.join(process.env.DATA_DIR ?? './data', 'secrets.json');
  const s = JSON.parse(fs.readFileSync(file, 'utf8'));
  return s.financeHmacSecret ?? s.FINANCE_HMAC_SECRET;
}

async function main(argv: string[]) {
  const client = new FinanceClient(process.env.SUNSHINE_URL ?? 'http://127.0.0.1:3000', secret());
  const [cmd, ...args] = argv;
  const show = (r: unknown) => console.log(JSON.stringify(r));
  if (cmd === 'allocate') {
    const [orgCode, code, yuan, name = '财政下达预算指标', econ = code.split('-').pop() ?? '302'] = args;
    show(await client.pushAllocations(Number(code.slice(0, 4)) || new Date().getUTCFullYear(), [{ budgetLineCode: code, orgCode, name, economicClass: /^\d{3,8}$/.test(econ) ? econ : '302', allocatedFen: Math.round(Number(yuan) * 100) }]));
  } else if (cmd === 'pull') {
    show(await client.paymentRequests(args[0] ? `status=${args[0]}` : ''));
  } else if (cmd === 'pay') {
    show(await client.setStatus(args[0], { status: 'accepted', treasuryRef: `GK-${args[0]}` }));
    show(await client.setStatus(args[0], { status: 'paid', treasuryRef: `GK-${args[0]}` }));
  } else if (cmd === 'serve') {
    const failFirst = args.includes('--fail-first') ? Number(args[args.indexOf('--fail-first') + 1]) : 0;
    const checkpoints = new CheckpointStore(process.env.FINANCE_SIM_CHECKPOINTS ?? 'finance-sim-checkpoints.json');
    const rx = await startWebhookReceiver(client, {
      port: Number(args[0]) || 0,
      failFirst,
      onEvent: async (e) => {
        if (e.type === 'audit.checkpoint') {
          const refused = checkpoints.add(e.data as never);
          console.log(JSON.stringify({ received: e.type, seq: (e.data as any).checkpoint.seq, kept: !refused, refused }));
          return;
        }
        console.log(JSON.stringify({ received: e.type, ref: e.data.ref, amountFen: e.data.amountFen }));
        setTimeout(async () => {
          show(await client.setStatus(e.data.ref, { status: 'accepted', treasuryRef: `GK-${e.data.ref}` }));
          show(await client.setStatus(e.data.ref, { status: 'paid', treasuryRef: `GK-${e.data.ref}` }));
        }, 500);
      },
    });
    show({ webhook: rx.url, registered: (await client.registerWebhook(rx.url)).body });
  } else {
    console.error('usage: finance-sim allocate|pull|pay|serve ...');
    process.exit(2);
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e.message);
  process.exit(1);
});
