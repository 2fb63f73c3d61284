// The issue-4 scenario functions, written once for both SDKs: `create(options, trigger, handler)`
// maps onto inngest 3.x (`createFunction(options, trigger, handler)`) or 4.x (`triggers` in the
// options). Side-effect counters and the "fixed" flag live in `state`, which the test reads and flips.

export interface AppState {
  /** Step executions by name: proves memoized steps are not run again. */
  counters: Record<string, number>;
  /** The app's "code change": the failing step works once this is true. */
  fixed: boolean;
  /** The order in which gated steps ran. */
  order: string[];
}

type Ev = { name: string; data: Record<string, unknown> };
type Step = {
  run<T>(id: string, fn: () => T | Promise<T>): Promise<T>;
  sleep(id: string, d: string): Promise<void>;
  waitForEvent(id: string, o: { event: string; timeout: string }): Promise<Ev | null>;
};
export type Handler = (ctx: { event: Ev; step: Step }) => Promise<unknown>;
export type Create = (options: Record<string, unknown>, trigger: { event: string } | { cron: string }, handler: Handler) => unknown;

export function issue4Functions(create: Create, state: AppState, wait: (id: string) => Promise<void>): unknown[] {
  const count = (k: string) => (state.counters[k] = (state.counters[k] ?? 0) + 1);
  return [
    create({ id: 'fixable', retries: 0 }, { event: 'i4/fix' }, async ({ event, step }) => {
      const a = await step.run('a', () => (count('a'), 1));
      const b = await step.run('b', () => (count('b'), Number(event.data.n ?? 0) * 10));
      const c = await step.run('c', () => {
        count('c');
        if (!state.fixed) throw new Error('broken until the test fixes the code');
        return `${a}+${b}`;
      });
      return { a, b, c, n: event.data.n };
    }),
    // Fails after its last step (a handler error, not a step's): only a rerun "from the failure" can keep both steps.
    create({ id: 'tail-fail', retries: 0 }, { event: 'i4/tail' }, async ({ step }) => {
      const a = await step.run('ta', () => (count('ta'), 'a'));
      const b = await step.run('tb', () => (count('tb'), 'b'));
      if (!state.fixed) throw new Error('the handler broke after its last step');
      return `${a}${b}`;
    }),
    create({ id: 'sleeper' }, { event: 'i4/sleep' }, async ({ step }) => {
      await step.run('before', () => count('sleeper.before'));
      await step.sleep('nap', '1h');
      await step.run('after', () => count('sleeper.after'));
      return 'woke';
    }),
    create({ id: 'waiter' }, { event: 'i4/wait' }, async ({ step }) => {
      const e = await step.waitForEvent('approval', { event: 'i4/approved', timeout: '1h' });
      return e ? { got: e.data } : 'timed out';
    }),
    create({ id: 'finisher', timeouts: { finish: '10s' } }, { event: 'i4/finish' }, async ({ step }) => {
      await step.sleep('long', '1m');
      return 'finished';
    }),
    create({ id: 'starter', timeouts: { start: '5s' }, throttle: { limit: 1, period: '1m' } }, { event: 'i4/start' }, async () => 'ran'),
    // Its first request outlasts timeouts.start: the run started when that request left, so it is not cancelled.
    create({ id: 'slow-starter', timeouts: { start: '5s' } }, { event: 'i4/slow-start' }, async ({ step }) =>
      step.run('slow', async () => {
        await wait('slow-start');
        return 'ran';
      }),
    ),
    create({ id: 'ticker' }, { cron: 'TZ=Europe/Paris 0 9 * * *' }, async ({ event }) => event.name),
    create({ id: 'prio', concurrency: { limit: 1 }, priority: { run: 'event.data.p' } }, { event: 'i4/prio' }, async ({ event, step }) =>
      step.run('work', async () => {
        await wait(String(event.data.id));
        state.order.push(String(event.data.id));
        return event.data.id;
      }),
    ),
    create({ id: 'single-cancel', singleton: { mode: 'cancel', key: 'event.data.user' } }, { event: 'i4/single' }, async ({ step }) => {
      await step.sleep('nap', '1h');
      return 'done';
    }),
    create({ id: 'midstep' }, { event: 'i4/mid' }, async ({ event, step }) => {
      await step.run('slow', async () => {
        count('midstep.slow');
        await wait(`mid-${String(event.data.id)}`);
        return 1;
      });
      await step.run('next', () => count('midstep.next'));
      return 'not cancelled';
    }),
    create({ id: 'badcron' }, { cron: '61 * * * *' }, async () => 'never'),
    create({ id: 'badkey', rateLimit: { limit: 1, period: '1m', key: 'event.data.(' } }, { event: 'i4/badkey' }, async () => 'ran'),
    create({ id: 'cancel-on', cancelOn: [{ event: 'i4/stop', if: 'async.data.id == event.data.id', timeout: '30s' }] }, { event: 'i4/go' }, async ({ step }) => {
      await step.sleep('nap', '1h');
      return 'done';
    }),
  ];
}
