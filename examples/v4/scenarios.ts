// Scenario app on inngest 4.x: one function per behaviour the executor must get right. The tests in
// test/executor/ drive it (and its v3 twin, examples/v3/scenarios.ts, which has the same function ids
// and events). Behaviour is steered by event data (`failTimes`, `sleep`, `timeout`, ...).
//
// Every step body calls `hit(runId, '<step id>')`; GET /__counters exposes the counts so tests can
// prove each completed step ran exactly once.
//
// Run: INNGEST_DEV=http://127.0.0.1:8288 PORT=3000 node --import tsx examples/v4/scenarios.ts
// (v4 runs in cloud mode without INNGEST_DEV and refuses unsigned requests.)
import { Inngest, NonRetriableError, RetryAfterError, eventType } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import { channel, staticSchema } from 'inngest-v4/realtime';
import { Counters, gate, pause, startAppServer } from '../shared/app-server';

const inngest = new Inngest({ id: 'scenarios-v4' });
const counters = new Counters();
const hit = (runId: string, key: string) => counters.hit(runId, key);

type Data = Record<string, any>;

// --- steps one after another ------------------------------------------------------------------
const seq = inngest.createFunction({ id: 'seq', triggers: [{ event: 'scn/seq' }] }, async ({ step, runId }) => {
  const a = await step.run('a', () => (hit(runId, 'a'), 1));
  const b = await step.run('b', () => (hit(runId, 'b'), a + 1));
  const c = await step.run('c', () => (hit(runId, 'c'), b + 1));
  return { a, b, c };
});

// --- parallel steps, then a repeated step id ----------------------------------------------------
const par = inngest.createFunction({ id: 'par', triggers: [{ event: 'scn/par' }] }, async ({ step, runId }) => {
  const [p1, p2, p3] = await Promise.all([
    step.run('p1', () => (hit(runId, 'p1'), 1)),
    step.run('p2', () => (hit(runId, 'p2'), 2)),
    step.run('p3', () => (hit(runId, 'p3'), 3)),
  ]);
  // The same id twice: the SDK hashes the second one as `dup:1`.
  const d1 = await step.run('dup', () => (hit(runId, 'dup'), 'first'));
  const d2 = await step.run('dup', () => (hit(runId, 'dup:1'), 'second'));
  return { sum: p1 + p2 + p3, d1, d2 };
});

// --- sleep and sleepUntil ------------------------------------------------------------------------
const sleep = inngest.createFunction({ id: 'sleep', triggers: [{ event: 'scn/sleep' }] }, async ({ event, step, runId }) => {
  const data = event.data as Data;
  const before = await step.run('before', () => (hit(runId, 'before'), Date.now()));
  await step.sleep('nap', data.sleep ?? '1s');
  const napped = await step.run('napped', () => (hit(runId, 'napped'), Date.now()));
  await step.sleepUntil('until', new Date(data.until ?? Date.now()));
  const after = await step.run('after', () => (hit(runId, 'after'), Date.now()));
  return { before, napped, after };
});

// --- waitForEvent with `match` and with `if` -------------------------------------------------------
const wait = inngest.createFunction({ id: 'wait', triggers: [{ event: 'scn/wait' }] }, async ({ event, step, runId }) => {
  const data = event.data as Data;
  const approval = await step.waitForEvent('approval', {
    event: 'scn/approved',
    match: 'data.orderId',
    timeout: data.timeout ?? '10s',
  });
  const review = await step.waitForEvent('review', {
    event: 'scn/reviewed',
    if: 'async.data.orderId == event.data.orderId && async.data.score > 3',
    timeout: data.reviewTimeout ?? '10s',
  });
  const done = await step.run('done', () => (hit(runId, 'done'), true));
  return {
    approvedBy: approval ? (approval.data as Data).by : null,
    reviewScore: review ? (review.data as Data).score : null,
    done,
  };
});

// --- invoke: a child that returns, a child that fails ---------------------------------------------
const child = inngest.createFunction({ id: 'invoke-child', triggers: [{ event: 'scn/child' }] }, async ({ event, step, runId }) => {
  const n = Number((event.data as Data).n ?? 0);
  return step.run('double', () => (hit(runId, 'double'), { doubled: n * 2 }));
});
const failingChild = inngest.createFunction(
  { id: 'invoke-failing-child', retries: 0, triggers: [{ event: 'scn/child.fail' }] },
  async ({ step, runId }) => {
    await step.run('explode', () => {
      hit(runId, 'explode');
      throw new NonRetriableError('child exploded');
    });
  },
);
const invokeParent = inngest.createFunction({ id: 'invoke-parent', triggers: [{ event: 'scn/invoke' }] }, async ({ event, step, runId }) => {
  const result = await step.invoke('call-child', { function: child, data: { n: (event.data as Data).n ?? 21 } });
  let childError: string | null = null;
  try {
    await step.invoke('call-failing-child', { function: failingChild, data: {} });
  } catch (err) {
    childError = (err as Error).message;
  }
  await step.run('after-invoke', () => hit(runId, 'after-invoke'));
  return { result, childError };
});

// --- invoke with a timeout the child outlives -----------------------------------------------------------
const slowChild = inngest.createFunction({ id: 'slow-child', triggers: [{ event: 'scn/slow-child' }] }, async ({ event, step, runId }) => {
  await step.sleep('dawdle', (event.data as Data).sleep ?? '4s');
  return step.run('late', () => (hit(runId, 'late'), 'too late'));
});
const invokeTimeout = inngest.createFunction({ id: 'invoke-timeout', triggers: [{ event: 'scn/invoke-timeout' }] }, async ({ step }) => {
  try {
    await step.invoke('call-slow-child', { function: slowChild, data: {}, timeout: '1s' });
    return { timedOut: null };
  } catch (err) {
    return { timedOut: (err as Error).message };
  }
});

// --- a planned step renamed mid-run (a code change): the SDK cannot find it, the executor falls back to
// discovery. The first attempt of `moving-0` "changes the code" so its retry asks for a step that no
// longer exists (the SDK answers after its 10 s search).
const generations = new Map<string, number>();
const renamed = inngest.createFunction({ id: 'renamed', retries: 2, triggers: [{ event: 'scn/renamed' }] }, async ({ step, runId }) => {
  const gen = generations.get(runId) ?? 0;
  const [steady, moved] = await Promise.all([
    step.run('steady', () => (hit(runId, 'steady'), 'steady')),
    step.run(`moving-${gen}`, () => {
      hit(runId, `moving-${gen}`);
      if (gen === 0) {
        generations.set(runId, 1);
        throw new Error('renamed mid-run (simulates a code change)');
      }
      return gen;
    }),
  ]);
  return { steady, moved };
});

// --- a chain through step.sendEvent ------------------------------------------------------------------
const chainStart = inngest.createFunction({ id: 'chain-start', triggers: [{ event: 'scn/chain' }] }, async ({ event, step }) => {
  const count = Number((event.data as Data).count ?? 2);
  const sent = await step.sendEvent(
    'fan-out',
    Array.from({ length: count }, (_, i) => ({ name: 'scn/chain.next', data: { i: i + 1, chain: (event.data as Data).chain } })),
  );
  return { sent: sent.ids.length };
});
const chainNext = inngest.createFunction({ id: 'chain-next', triggers: [{ event: 'scn/chain.next' }] }, async ({ event, step, runId }) => {
  const i = Number((event.data as Data).i);
  return step.run('work', () => (hit(runId, 'work'), i * 10));
});

// --- one event, several functions: exact name, wildcard, trigger `if` --------------------------------
const orderCreated = eventType('fan/order.created');
const fanExact = inngest.createFunction({ id: 'fan-exact', triggers: [orderCreated] }, async ({ step, runId }) =>
  step.run('exact', () => (hit(runId, 'exact'), 'exact')),
);
const fanWildcard = inngest.createFunction({ id: 'fan-wildcard', triggers: [{ event: 'fan/*' }] }, async ({ event, step, runId }) =>
  step.run('wildcard', () => (hit(runId, 'wildcard'), event.name)),
);
const fanIf = inngest.createFunction(
  { id: 'fan-if', triggers: [{ event: 'fan/order.created', if: 'event.data.total > 100' }] },
  async ({ step, runId }) => step.run('big-order', () => (hit(runId, 'big-order'), 'big')),
);

// --- retries and errors ---------------------------------------------------------------------------
const retry = inngest.createFunction({ id: 'retry', retries: 4, triggers: [{ event: 'scn/retry' }] }, async ({ event, step, runId }) => {
  const failTimes = Number((event.data as Data).failTimes ?? 2);
  const value = await step.run('flaky', () => {
    const n = hit(runId, 'flaky');
    if (n <= failTimes) throw new Error(`flaky failure ${n} of ${failTimes}`);
    return { succeededOnAttempt: n };
  });
  await step.run('after-flaky', () => hit(runId, 'after-flaky'));
  return value;
});

const nonRetriable = inngest.createFunction(
  { id: 'nonretriable', retries: 4, triggers: [{ event: 'scn/nonretriable' }] },
  async ({ event, step, runId }) => {
    try {
      await step.run('charge', () => {
        hit(runId, 'charge');
        throw new NonRetriableError('card declined');
      });
    } catch (err) {
      if (!(event.data as Data).catch) throw err;
      return { caught: (err as Error).message };
    }
    return { caught: null };
  },
);

const retryAfter = inngest.createFunction(
  { id: 'retry-after', retries: 2, triggers: [{ event: 'scn/retry-after' }] },
  async ({ step, runId }) =>
    step.run('rate-limited', () => {
      const n = hit(runId, 'rate-limited');
      if (n === 1) throw new RetryAfterError('rate limited, try again in 1s', '1s');
      return { attempts: n };
    }),
);

const fnError = inngest.createFunction({ id: 'fn-error', retries: 1, triggers: [{ event: 'scn/fn-error' }] }, async ({ step, runId }) => {
  await step.run('prep', () => hit(runId, 'prep'));
  hit(runId, 'body-after-prep');
  throw new Error('boom outside any step');
});

const onFailure = inngest.createFunction(
  {
    id: 'on-failure',
    retries: 0,
    triggers: [{ event: 'scn/onfailure' }],
    onFailure: async ({ error, event, step, runId }) =>
      step.run('notify', () => {
        hit(runId, 'notify');
        return { notified: error.message, originalEvent: event.data.event.name };
      }),
  },
  async ({ step, runId }) => {
    await step.run('pay', () => {
      hit(runId, 'pay');
      throw new Error('payment failed');
    });
  },
);

// --- checkpointing (v4 default): steps run inline, then a sleep forces a new request -----------------
const checkpoint = inngest.createFunction({ id: 'checkpoint', triggers: [{ event: 'scn/checkpoint' }] }, async ({ step, runId }) => {
  const a = await step.run('a', () => (hit(runId, 'a'), 'a'));
  const b = await step.run('b', () => (hit(runId, 'b'), `${a}b`));
  await step.sleep('rest', '1s');
  const c = await step.run('c', () => (hit(runId, 'c'), `${b}c`));
  return { c };
});

// The same with checkpointing asked for explicitly (v3 >= 3.51 supports it as an opt-in).
const checkpointOptIn = inngest.createFunction(
  { id: 'checkpoint-opt-in', checkpointing: true, triggers: [{ event: 'scn/checkpoint-opt-in' }] },
  async ({ step, runId }) => {
    const a = await step.run('a', () => (hit(runId, 'a'), 'a'));
    const b = await step.run('b', () => (hit(runId, 'b'), `${a}b`));
    await step.sleep('rest', '1s');
    const c = await step.run('c', () => (hit(runId, 'c'), `${b}c`));
    return { c };
  },
);

// --- crash test: long sleep, long wait, slow parallel step ----------------------------------------------
const crashSleep = inngest.createFunction({ id: 'crash-sleep', triggers: [{ event: 'crash/sleep' }] }, async ({ event, step, runId }) => {
  await step.run('before', () => hit(runId, 'before'));
  await step.sleep('long-nap', (event.data as Data).sleep ?? '3s');
  await step.run('after', () => hit(runId, 'after'));
  return 'slept';
});
const crashWait = inngest.createFunction({ id: 'crash-wait', triggers: [{ event: 'crash/wait' }] }, async ({ step, runId }) => {
  await step.run('before', () => hit(runId, 'before'));
  const go = await step.waitForEvent('go', { event: 'crash/go', match: 'data.key', timeout: '2m' });
  await step.run('after', () => hit(runId, 'after'));
  return { go: go ? (go.data as Data).key : null };
});
const crashPar = inngest.createFunction({ id: 'crash-par', triggers: [{ event: 'crash/par' }] }, async ({ event, step, runId }) => {
  const data = event.data as Data;
  const [fast, slow] = await Promise.all([
    step.run('fast', () => (hit(runId, 'fast'), 'fast')),
    step.run('slow', async () => {
      hit(runId, 'slow.started');
      // Held until the test opens the gate (or slowMs passes).
      await gate(`slow-${runId}`, Number(data.slowMs ?? 1500));
      hit(runId, 'slow');
      return 'slow';
    }),
    step.sleep('par-nap', data.sleep ?? '2s'),
  ]);
  await step.run('after', () => hit(runId, 'after'));
  return { fast, slow };
});

// An invoke whose child sleeps 8 s: the test kills the executor while the parent waits on it.
const crashInvoke = inngest.createFunction({ id: 'crash-invoke', triggers: [{ event: 'crash/invoke' }] }, async ({ step, runId }) => {
  await step.run('before', () => hit(runId, 'before'));
  const child = await step.invoke('call-slow-child', { function: slowChild, data: { sleep: '8s' } });
  await step.run('after', () => hit(runId, 'after'));
  return { child };
});

// Many short steps (checkpointed one by one on v4): the test kills the executor part-way through.
const crashLong = inngest.createFunction({ id: 'crash-long', triggers: [{ event: 'crash/long' }] }, async ({ event, step, runId }) => {
  const data = event.data as Data;
  const steps = Number(data.steps ?? 40);
  let done = 0;
  for (let i = 0; i < steps; i++) {
    done += await step.run(`s${i}`, async () => {
      hit(runId, `s${i}`);
      await pause(Number(data.stepMs ?? 25));
      return 1;
    });
  }
  return { done };
});

// --- benchmark shapes -----------------------------------------------------------------------------------
/** `data.steps` sequential steps. */
async function seqSteps(step: { run: (id: string, fn: () => number) => Promise<number> }, data: Data) {
  const steps = Number(data.steps ?? 100);
  let total = 0;
  for (let i = 0; i < steps; i++) total += await step.run(`s${i}`, () => i);
  return { total };
}
const benchSeq = inngest.createFunction(
  { id: 'bench-seq', triggers: [{ event: 'bench/seq' }] },
  async ({ event, step }) => seqSteps(step, event.data as Data),
);
// The same with checkpointing forced on / off, so the benchmark can compare both modes on each SDK.
const benchSeqCheckpointed = inngest.createFunction(
  { id: 'bench-seq-checkpointed', checkpointing: true, triggers: [{ event: 'bench/seq-checkpointed' }] },
  async ({ event, step }) => seqSteps(step, event.data as Data),
);
const benchSeqClassic = inngest.createFunction(
  { id: 'bench-seq-classic', checkpointing: false, triggers: [{ event: 'bench/seq-classic' }] },
  async ({ event, step }) => seqSteps(step, event.data as Data),
);
// Realtime: step.realtime.publish posts to the executor; the function goes on as in production.
const progress = channel({ name: (runId: string) => `run:${runId}`, topics: { status: { schema: staticSchema<{ msg: string }>() } } });
const realtimeProgress = inngest.createFunction({ id: 'realtime-progress', retries: 0, triggers: [{ event: 'scn/realtime' }] }, async ({ step, runId }) => {
  await step.realtime.publish('pub-start', progress(runId).status, { msg: 'starting' });
  return step.run('work', () => (hit(runId, 'work'), 42));
});

// Inngest's limits (PROTOCOL §14): a step output above 4 MB, more than 1000 steps in a run.
const limitOutput = inngest.createFunction({ id: 'limit-output', retries: 0, triggers: [{ event: 'scn/limit-output' }] }, async ({ step }) => {
  const big = await step.run('huge', () => 'y'.repeat(5 * 1024 * 1024));
  return big.length;
});
const limitSteps = inngest.createFunction({ id: 'limit-steps', retries: 0, triggers: [{ event: 'scn/limit-steps' }] }, async ({ step }) => {
  let n = 0;
  for (let i = 0; i < 1001; i++) n += await step.run(`s${i}`, () => 1);
  return n;
});

// group.parallel race: the quick branch resumes the function; the long sleep does not hold it.
const raceGroup = inngest.createFunction({ id: 'race-group', triggers: [{ event: 'scn/race-group' }] }, async ({ step, group, runId }) => {
  const winner = await group.parallel({ mode: 'race' }, () =>
    Promise.race([step.sleep('slow-branch', '30s').then(() => 'sleep'), step.run('quick-branch', () => (hit(runId, 'quick-branch'), 'quick'))]),
  );
  const after = await step.run('after-race', () => (hit(runId, 'after-race'), winner));
  return { winner, after };
});

const benchPar = inngest.createFunction({ id: 'bench-par', triggers: [{ event: 'bench/par' }] }, async ({ event, step }) => {
  const width = Number((event.data as Data).width ?? 5);
  const parts = await Promise.all(Array.from({ length: width }, (_, i) => step.run(`w${i}`, () => i)));
  return step.run('sum', () => parts.reduce((x, y) => x + y, 0));
});

// --- code changes between syncs: SCENARIO_EXTRA=1 adds `extra`; SCENARIO_FLEX=b moves `flexible` from
// scn/flex.a to scn/flex.b. Restarting the app with other values shows functions added, changed, removed.
const extra = inngest.createFunction({ id: 'extra', triggers: [{ event: 'scn/extra' }] }, async ({ step, runId }) =>
  step.run('extra-step', () => (hit(runId, 'extra-step'), 'extra')),
);
const flexEvent = `scn/flex.${process.env.SCENARIO_FLEX ?? 'a'}`;
const flexible = inngest.createFunction({ id: 'flexible', triggers: [{ event: flexEvent }] }, async ({ event, step, runId }) =>
  step.run('flex-step', () => (hit(runId, 'flex-step'), event.name)),
);

export const functions = [
  seq, par, sleep, wait, child, failingChild, invokeParent, chainStart, chainNext, fanExact, fanWildcard, fanIf,
  retry, nonRetriable, retryAfter, fnError, onFailure, checkpoint, crashSleep, crashWait, crashPar, benchSeq, benchPar,
  slowChild, invokeTimeout, renamed, flexible, crashLong, checkpointOptIn, crashInvoke,
  benchSeqCheckpointed, benchSeqClassic, raceGroup, limitOutput, limitSteps, realtimeProgress,
  ...(process.env.SCENARIO_EXTRA === '1' ? [extra] : []),
];

startAppServer(serve({ client: inngest, functions }), counters).catch((err: unknown) => {
  console.error('scenarios-v4 failed to start:', err);
  process.exit(1);
});
