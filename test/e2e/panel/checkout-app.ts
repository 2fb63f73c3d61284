// A small app on the official SDK (inngest 4.x) for the panel tests: a checkout whose `charge` step
// fails until the test "fixes the code" (POST /__fix flips a flag, as a reload with a fix would),
// plus a function that sleeps a day, one that waits an hour for an approval
// event, one that invokes another, and one
// whose step fails once then succeeds on retry. Started by the tests as a real process pointed at a real executor.
//
// Run: INNGEST_DEV=http://127.0.0.1:PORT PORT=0 node --import tsx test/e2e/panel/checkout-app.ts
// Prints `panel app ready at http://127.0.0.1:PORT/api/inngest` once it listens.
import http from 'node:http';
import { Inngest } from 'inngest-v4';
import { serve } from 'inngest-v4/node';

const inngest = new Inngest({ id: 'panel-shop' });
let fixed = false;
/** Executions per `runId:step`, so the test can prove memoized steps did not run again. */
const hits = new Map<string, number>();
const hit = (runId: string, step: string) => hits.set(`${runId}:${step}`, (hits.get(`${runId}:${step}`) ?? 0) + 1);

const checkout = inngest.createFunction(
  { id: 'checkout', retries: 0, triggers: [{ event: 'shop/order.placed' }] },
  async ({ event, step, runId }) => {
    const data = event.data as { orderId?: string; amount?: number };
    const reserved = await step.run('reserve', () => {
      hit(runId, 'reserve');
      return { orderId: data.orderId ?? 'o-1', items: 2 };
    });
    const [tax, shipping] = await Promise.all([
      step.run('tax', () => (hit(runId, 'tax'), Math.round((data.amount ?? 10) * 0.2))),
      step.run('shipping', () => (hit(runId, 'shipping'), 5)),
    ]);
    const charge = await step.run('charge', () => {
      hit(runId, 'charge');
      if (!fixed) throw new Error('card declined');
      return { charged: (data.amount ?? 10) + tax + shipping, orderId: reserved.orderId };
    });
    await step.run('email', () => (hit(runId, 'email'), `receipt for ${charge.orderId}`));
    return { ok: true, charge };
  },
);

const nap = inngest.createFunction({ id: 'nap', triggers: [{ event: 'shop/nap' }] }, async ({ step, runId }) => {
  await step.run('before', () => hit(runId, 'before'));
  await step.sleep('long-nap', '1d');
  return step.run('after', () => (hit(runId, 'after'), 'awake'));
});

const refund = inngest.createFunction({ id: 'refund', triggers: [{ event: 'shop/refund.requested' }] }, async ({ step, runId }) => {
  await step.run('check', () => (hit(runId, 'check'), true));
  const approval = await step.waitForEvent('manager-approval', { event: 'shop/refund.approved', timeout: '1h' });
  return step.run('pay-back', () => (hit(runId, 'pay-back'), approval ? `refunded by ${String((approval.data as { by?: string }).by)}` : 'declined'));
});

const wrap = inngest.createFunction({ id: 'wrap', triggers: [{ event: 'shop/wrap.requested' }] }, async ({ event, step, runId }) =>
  step.run('paper', () => (hit(runId, 'paper'), `wrapped ${String((event.data as { item?: string }).item)}`)));
const gift = inngest.createFunction({ id: 'gift', triggers: [{ event: 'shop/gift.ordered' }] }, async ({ event, step }) => {
  const wrapped = await step.invoke('wrap-it', { function: wrap, data: { item: (event.data as { item?: string }).item ?? 'book' } });
  return { wrapped };
});

const flaky = inngest.createFunction({ id: 'flaky-sync', retries: 2, triggers: [{ event: 'shop/sync.requested' }] }, async ({ step, runId }) =>
  step.run('pull', () => {
    hit(runId, 'pull');
    if ((hits.get(`${runId}:pull`) ?? 0) < 2) throw new Error('upstream timed out');
    return { pulled: 3 };
  }));

const handler = serve({ client: inngest, functions: [checkout, nap, refund, wrap, gift, flaky] });
const server = http.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/__fix' && req.method === 'POST') {
    fixed = true;
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end('{"fixed":true}');
  }
  if (path === '/__hits') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify(Object.fromEntries(hits)));
  }
  if (path === '/api/inngest') return void handler(req, res);
  res.writeHead(404);
  res.end();
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  process.stdout.write(`panel app ready at http://127.0.0.1:${port}/api/inngest\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
