// `npm run bench`: the dev executor driving real v3 and v4 apps.
//
// For each SDK it prints
//   1. time per step of a 100-step sequential function (run wall time / 100);
//   2. SDK requests per run (RunDetail.requestCount) against the minimum the protocol allows;
//   3. the executor's overhead: the run's wall time (event received -> run ended) divided by the
//      time the SDK spent handling the same requests, measured inside the app (examples/shared/
//      app-server.ts times each execution request and subtracts the SDK's own outbound calls, such
//      as v4 checkpoints, which the executor answers).
//
// Minimum requests (PROTOCOL §6-7), N sequential steps, W parallel steps followed by one step:
//   classic (v3, request version 1, no checkpointing): a request can run at most one new step inline
//     and completion is a separate 200, so sequential = N + 1. Parallel = 1 (plans W) + W (one per
//     planned step) + 1 (coalesced discovery runs the last step inline, once the executor has reset
//     disable_immediate_execution) + 1 (the 200) = W + 3.
//   checkpointed (v4 default when ctx.fn_id is sent): lone steps run inline and are checkpointed, and
//     completion is RunComplete in the same response, so sequential = 1 (below the SDK's 10 s
//     maxRuntime). Parallel = 1 + W + 1 (the last step inline + RunComplete) = W + 2.
// Targets: overhead <= 1.3x, requests at the minimum.
import { startRig, type Rig, type Sdk } from '../executor/harness';

const STEPS = 100;
const WIDTH = 5;
const REPEAT = 3;

interface Figures {
  wallMs: number;
  sdkMs: number;
  requests: number;
}

async function once(rig: Rig, fnId: string, name: string, data: Record<string, unknown>): Promise<Figures> {
  await rig.app.reset();
  const runId = await rig.ex.runOf(await rig.ex.send({ name, data }), rig.fn(fnId), 30_000);
  const run = await rig.ex.waitForRun(runId, 120_000);
  if (run.status !== 'Completed') throw new Error(`${fnId} ended ${run.status}: ${JSON.stringify(run.error)}`);
  const t = await rig.app.sdkTime();
  const end = run.endedAt ?? Date.now();
  return { wallMs: end - run.queuedAt, sdkMs: t.sdkMs, requests: run.requestCount };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(rig: Rig, fnId: string, name: string, data: Record<string, unknown>): Promise<Figures> {
  await once(rig, fnId, name, data); // warm-up (JIT, first connections)
  const runs: Figures[] = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await once(rig, fnId, name, data));
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    sdkMs: median(runs.map((r) => r.sdkMs)),
    requests: Math.max(...runs.map((r) => r.requests)),
  };
}

const fmt = (n: number, d = 1) => n.toFixed(d);
const verdict = (ok: boolean) => (ok ? 'OK' : 'MISSED');
let missed = 0;

async function benchSdk(sdk: Sdk): Promise<void> {
  const rig = await startRig(sdk);
  try {
    const checkpointed = sdk === 'v4';
    const mode = checkpointed ? 'checkpointed' : 'classic';
    const seq = await measure(rig, 'bench-seq', 'bench/seq', { steps: STEPS });
    const par = await measure(rig, 'bench-par', 'bench/par', { width: WIDTH });
    const seqMin = checkpointed ? 1 : STEPS + 1;
    const parMin = checkpointed ? WIDTH + 2 : WIDTH + 3;
    const seqRatio = seq.wallMs / seq.sdkMs;
    const parRatio = par.wallMs / par.sdkMs;

    console.log(`\ninngest ${sdk} (${mode}), median of ${REPEAT} runs after a warm-up`);
    console.log(`  ${STEPS}-step sequential: run wall ${fmt(seq.wallMs)} ms = ${fmt(seq.wallMs / STEPS, 2)} ms per step`);
    console.log(`    SDK requests per run: ${seq.requests} (minimum ${seqMin}) ${verdict(seq.requests <= seqMin)}`);
    console.log(`    SDK handling time: ${fmt(seq.sdkMs)} ms; overhead wall/SDK = ${fmt(seqRatio, 2)}x (target <= 1.3x) ${verdict(seqRatio <= 1.3)}`);
    console.log(`  ${WIDTH} parallel steps + 1: run wall ${fmt(par.wallMs)} ms`);
    console.log(`    SDK requests per run: ${par.requests} (minimum ${parMin}) ${verdict(par.requests <= parMin)}`);
    console.log(`    SDK handling time: ${fmt(par.sdkMs)} ms; overhead wall/SDK = ${fmt(parRatio, 2)}x (target <= 1.3x) ${verdict(parRatio <= 1.3)}`);
    missed += [seq.requests <= seqMin, seqRatio <= 1.3, par.requests <= parMin, parRatio <= 1.3].filter((x) => !x).length;
  } finally {
    await rig.dispose();
  }
}

async function main() {
  console.log('Steplens dev executor benchmark (examples/v3|v4/scenarios.ts: bench-seq, bench-par)');
  for (const sdk of ['v3', 'v4'] as const) await benchSdk(sdk);
  console.log(`\n${missed === 0 ? 'All targets met.' : `${missed} target(s) missed.`}`);
}

main().catch((err: unknown) => {
  console.error('executor bench failed:', err);
  process.exit(1);
});
