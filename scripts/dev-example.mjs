// `npm run dev:example`: the README quick start. Starts `steplens dev` (port 8288, or the next free
// one), starts the v4 demo app (examples/v4/demo.ts) pointed at it, syncs the app, sends one
// `demo/user.signup` event, prints the run's progress step by step until it finishes, then keeps
// serving until Ctrl+C so you can open the UI.
//
//   node scripts/dev-example.mjs [--once] [--port N] [--data-dir DIR] [--sdk v3|v4]
//   --once      exit after the run finishes (0 if it completed), used by test/executor/quickstart.test.ts
//   --sdk       which demo app: v4 (default, examples/v4/demo.ts) or v3 (examples/v3/demo.ts)
//   --port N    first port to try (default 8288; 0 lets the system pick)
//   --data-dir  where the executor keeps its store (default .steplens/ in the current folder)
import { spawn } from 'node:child_process';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

// Routes come from runtime/api.ts, the one place they are written down.
const { route } = await tsImport('../runtime/api.ts', import.meta.url);

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const once = args.includes('--once');
const argValue = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const firstPort = Number(argValue('--port') ?? 8288);
const dataDir = argValue('--data-dir');
const sdk = argValue('--sdk') ?? 'v4';
if (sdk !== 'v3' && sdk !== 'v4') {
  console.error(`dev:example: --sdk must be v3 or v4, not ${sdk}`);
  process.exit(2);
}

const children = [];
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children.reverse()) {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

function fail(message) {
  console.error(`\ndev:example: ${message}`);
  void stop(1);
}

/** The first port from `start` on which 127.0.0.1 is free (0: let the system pick). */
async function freePort(start) {
  if (start === 0) return 0;
  for (let p = start; p < start + 50; p++) {
    const ok = await new Promise((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(p, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return p;
  }
  throw new Error(`no free port between ${start} and ${start + 49}`);
}

/** Spawns a process and resolves with the first match of `re` on its stdout. */
function startAndWait(label, cmd, cmdArgs, env, re) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let done = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      if (!done) {
        const m = out.match(re);
        if (m) {
          done = true;
          resolve(m);
        }
      }
    });
    child.stderr.on('data', (d) => {
      out += d;
      if (!done || process.env.STEPLENS_VERBOSE) process.stderr.write(`[${label}] ${d}`);
    });
    child.once('exit', (code, signal) => {
      if (!done) reject(new Error(`${label} exited (code ${code}, signal ${signal}) before it was ready:\n${out}`));
      else if (!stopping) fail(`${label} stopped unexpectedly (code ${code}, signal ${signal})`);
    });
    setTimeout(() => !done && reject(new Error(`${label} was not ready after 30 s:\n${out}`)), 30_000).unref();
  });
}

async function api(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const short = (v) => {
  const s = JSON.stringify(v);
  return s && s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** What a finished step produced, in words: memoized values are stored as {data} (PROTOCOL §3.4). */
function completedDetail(s) {
  if (s.kind === 'sleep') return 'woke up';
  if (s.kind === 'waitForEvent') return s.output ? `got ${s.output.name}` : 'timed out (no event)';
  const v = s.output && typeof s.output === 'object' && 'data' in s.output ? s.output.data : s.output;
  return `-> ${short(v)}`;
}

async function main() {
  const port = await freePort(firstPort);
  if (firstPort !== 0 && port !== firstPort) console.log(`Port ${firstPort} is taken; using ${port}.`);

  const devArgs = [join(ROOT, 'bin', 'steplens.js'), 'dev', '-p', String(port), '--no-discovery', '--retry-interval', '1'];
  if (dataDir) devArgs.push('--data-dir', dataDir);
  const [, base] = await startAndWait('steplens dev', process.execPath, devArgs, {}, /Steplens dev server ready at (http:\/\/\S+)/);
  const url = base.replace(/\/$/, '');
  console.log(`Steplens dev server ready at ${url}`);

  const [, appUrl] = await startAndWait(
    'demo app',
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'examples', sdk, 'demo.ts')],
    { PORT: '0', INNGEST_DEV: url },
    /example app ready at (http:\/\/\S+)/,
  );
  console.log(`Demo app (inngest ${sdk === 'v4' ? '4.24' : '3.54'}) serving at ${appUrl}`);

  const app = await api(url, 'POST', route('appsSync'), { url: appUrl });
  if (app.state !== 'synced') throw new Error(`syncing the demo app failed: ${JSON.stringify(app.error)}`);
  console.log(`Synced app ${app.id}: ${app.functionIds.join(', ')}`);

  const event = { name: 'demo/user.signup', data: { email: 'ada@example.com', name: 'Ada' } };
  const sent = await api(url, 'POST', route('eventApi', { key: 'dev' }), event);
  const eventId = sent.ids[0];
  console.log(`Sent ${event.name} ${JSON.stringify(event.data)} (event ${eventId})\n`);

  let runId;
  for (let i = 0; !runId; i++) {
    if (i > 100) throw new Error('no run started for the demo event within 10 s');
    const runs = await api(url, 'GET', route('v1EventRuns', { id: eventId }));
    runId = runs.data[0]?.run_id;
    if (!runId) await sleep(100);
  }
  console.log(`Run ${runId} of steplens-demo-signup-flow:`);

  const seen = new Map();
  let run;
  const deadline = Date.now() + 60_000;
  for (;;) {
    run = await api(url, 'GET', route('run', { id: runId }));
    for (const s of run.steps ?? []) {
      for (const a of s.attempts ?? []) {
        const k = `${s.hashedId}#${a.attempt}`;
        if (a.error && !seen.has(k)) {
          seen.set(k, true);
          console.log(`  ! ${s.userId.padEnd(22)} attempt ${a.attempt + 1} failed: ${a.error.message}`);
        }
      }
      const detail =
        s.status === 'sleeping' && s.sleep ? `until ${new Date(s.sleep.until).toISOString().slice(11, 19)}`
        : s.status === 'waiting' && s.wait ? `for ${s.wait.event}`
        : s.status === 'completed' ? completedDetail(s)
        : s.error ? s.error.message : '';
      const line = `  ${s.status === 'completed' ? '✓' : s.status === 'failed' ? '✗' : '…'} ${s.userId.padEnd(22)} ${s.status.padEnd(9)} ${detail ?? ''}`;
      if (seen.get(s.hashedId) !== line) {
        seen.set(s.hashedId, line);
        console.log(line);
      }
    }
    if (['Completed', 'Failed', 'Cancelled'].includes(run.status)) break;
    if (Date.now() > deadline) throw new Error(`the run did not finish within 60 s (status ${run.status})`);
    await sleep(200);
  }

  const took = run.startedAt && run.endedAt ? ` in ${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s` : '';
  console.log(`\nRun ${run.status}${took}, ${run.requestCount} SDK requests. Output: ${short(run.output ?? run.error?.message)}`);
  const nudges = await api(url, 'GET', `${route('runs')}?functionId=steplens-demo-send-nudge`);
  for (const n of nudges.data ?? []) console.log(`Chained run ${n.id} of ${n.functionId}: ${n.status}`);
  const ui = await fetch(`${url}/`).then((r) => r.status, (e) => String(e));
  console.log(ui === 200 ? `\nOpen the Steplens UI: ${url}/` : `\nThe Steplens UI at ${url}/ did not answer (${ui}); the REST API at ${url}/v1/events works.`);

  if (once) return stop(run.status === 'Completed' ? 0 : 1);
  console.log('Serving until Ctrl+C. Send more events with:');
  console.log(`  curl -X POST ${url}${route('eventApi', { key: 'dev' })} -d '${JSON.stringify(event)}'`);
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));
