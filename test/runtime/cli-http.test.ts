// The `steplens dev` CLI as a real process (the bundle, dist/cli.js) and the HTTP guards around
// it: flags, the ready line, port in use, clean stop, the panel page, Host/Origin checks, and the
// event API's edges.
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { route } from '../../runtime/api';
import { CLI, startCli as startCliProcess } from './helpers';

const ROOT = resolve(import.meta.dirname, '..', '..');

const children: ChildProcess[] = [];
let dir: string;
let base: string;
let main: ChildProcess;

/** steplens dev as a real process (shared helper), killed in `after`. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const started = await startCliProcess(args);
  children.push(started.child);
  return started;
}

function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((res, rej) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (r) => {
      let text = '';
      r.setEncoding('utf8').on('data', (d: string) => (text += d));
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, text }));
    });
    req.on('error', rej);
    req.end(opts.body);
  });
}

before(async () => {
  assert.ok(existsSync(CLI), 'run `node esbuild.mjs` first (npm test does)');
  dir = await mkdtemp(join(tmpdir(), 'steplens-cli-'));
  const s = await startCli(['-p', '0', '--no-discovery', '--data-dir', dir, '--poll-interval', '0.5', '--retry-interval', '0.05']);
  main = s.child;
  base = s.url;
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

void test('--help and bad flags say what to do', () => {
  const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--sdk-url/);
  assert.match(help.stdout, /--retry-interval/);
  for (const args of [['dev', '--bogus'], ['dev', '-p', 'abc'], ['dev', '--retry-interval', 'x'], ['dev', '-u', 'not a url'], ['nope']]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, /steplens: .+/, args.join(' '));
    assert.equal(r.stdout.includes('ready'), false);
  }
});

void test('the ready line is the only stdout line, and a taken port is a clear error', async () => {
  const port = new URL(base).port;
  const other = await mkdtemp(join(tmpdir(), 'steplens-cli2-'));
  const r = spawnSync(process.execPath, [CLI, 'dev', '-p', port, '--no-discovery', '--data-dir', other], { encoding: 'utf8', timeout: 20_000 });
  await rm(other, { recursive: true, force: true });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`port ${port} .*in use.*--port`));
  assert.equal(r.stdout, '');
});

void test('a second executor on the same data dir is refused while the first runs', () => {
  const r = spawnSync(process.execPath, [CLI, 'dev', '-p', '0', '--no-discovery', '--data-dir', dir], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /in use by another steplens process/);
});

void test('GET / serves the panel with a fresh nonce, a boot blob and a strict CSP; assets cannot escape', async () => {
  const a = await raw(base + '/');
  assert.equal(a.status, 200);
  if (existsSync(join(ROOT, 'dist', 'media', 'index.html'))) {
    const csp = String(a.headers['content-security-policy']);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    assert.ok(a.text.includes(`nonce="${nonce}"`));
    assert.ok(!/%(NONCE|BOOT|ASSET_BASE|CSP_SOURCE)%/.test(a.text), 'every placeholder is replaced');
    assert.ok(a.text.includes('&quot;mode&quot;:&quot;browser&quot;'), 'the boot JSON is HTML-escaped');
    const b = await raw(base + '/');
    assert.notEqual(/'nonce-([^']+)'/.exec(String(b.headers['content-security-policy']))?.[1], nonce, 'a fresh nonce per response');
    const css = await raw(base + '/assets/panel.css');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /text\/css/);
  }
  for (const p of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
    const r = await raw(base + p);
    assert.notEqual(r.status, 200, p);
    assert.equal(r.text.includes('"name": "steplens"'), false, p);
  }
});

void test('non-local Host is refused; foreign Origin may read but not change state', async () => {
  const h = await raw(base + route('health'), { headers: { host: 'evil.example:8288' } });
  assert.equal(h.status, 403);
  assert.match(JSON.parse(h.text).error, /Host/);
  const post = (origin: string) =>
    raw(base + route('eventApi', { key: 'k' }), { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"name":"o/x"}' });
  assert.equal((await post('https://evil.example')).status, 403);
  assert.equal((await post(base)).status, 200);
  assert.equal((await post('vscode-webview://abc123')).status, 200);
  const read = await raw(base + route('apps'), { headers: { origin: 'https://evil.example' } });
  assert.equal(read.status, 200);
  assert.equal(read.headers['access-control-allow-origin'], undefined, 'no CORS grant to a foreign origin');
  const pre = await raw(base + route('runs'), { method: 'OPTIONS', headers: { origin: 'vscode-webview://abc123', 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-origin'], 'vscode-webview://abc123', 'the webview panel may call the API');
  const badPre = await raw(base + route('runs'), { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
  assert.equal(badPre.status, 403);
  const nf = await raw(base + '/api/runs/nope');
  assert.equal(nf.status, 404);
  assert.ok(JSON.parse(nf.text).error, 'errors are ApiError JSON');
});

void test('event API: a retried send with the same id seed maps to the same ids; limits; reserved names', async () => {
  const send = (body: unknown, headers: Record<string, string> = {}) =>
    raw(base + route('eventApi', { key: 'k' }), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const seed = { 'x-inngest-event-id-seed': `${Date.now()},${Buffer.from('0123456789').toString('base64')}` };
  const a = JSON.parse((await send([{ name: 'seed/a' }, { name: 'seed/b' }], seed)).text) as { ids: string[] };
  const b = JSON.parse((await send([{ name: 'seed/a' }, { name: 'seed/b' }], seed)).text) as { ids: string[] };
  assert.equal(a.ids.length, 2);
  assert.notEqual(a.ids[0], a.ids[1]);
  assert.deepEqual(b.ids, a.ids);
  const listed = JSON.parse((await raw(base + route('v1Events') + '?name=seed/a')).text) as { data: unknown[] };
  assert.equal(listed.data.length, 1, 'the retried send stored nothing new');
  const reserved = await send({ name: 'inngest/function.finished', data: {} });
  assert.equal(reserved.status, 400);
  assert.match(JSON.parse(reserved.text).error, /reserved/);
  const many = await send(Array.from({ length: 5001 }, () => ({ name: 'many/x' })));
  assert.equal(many.status, 400);
  assert.match(JSON.parse(many.text).error, /5000/);
  const one = await send({ name: 'one/x', data: { a: 1 } });
  const body = JSON.parse(one.text) as { ids: string[]; status: number };
  assert.equal(body.status, 200);
  const ev = JSON.parse((await raw(base + route('v1Event', { id: body.ids[0]! }))).text) as { data: { id: string; name: string; data: unknown } };
  assert.equal(ev.data.id, body.ids[0]);
  assert.deepEqual(ev.data.data, { a: 1 });
  const future = new Date(Date.now() + 60_000).toISOString();
  assert.equal((JSON.parse((await raw(`${base}${route('v1Events')}?received_after=${future}`)).text) as { data: unknown[] }).data.length, 0);
  assert.ok((JSON.parse((await raw(`${base}${route('v1Events')}?received_before=${future}&name=one/x`)).text) as { data: unknown[] }).data.length >= 1);
  assert.equal((await raw(`${base}${route('v1Events')}?received_after=yesterday`)).status, 400);
});

void test('SIGTERM stops cleanly with exit code 0, and the data is there after a restart', async () => {
  const [id] = (JSON.parse((await raw(base + route('eventApi', { key: 'k' }), { method: 'POST', body: '{"name":"keep/me"}' })).text) as { ids: string[] }).ids;
  const exited = new Promise<number | null>((r) => main.once('exit', (c) => r(c)));
  main.kill('SIGTERM');
  assert.equal(await exited, 0);
  const again = await startCli(['-p', '0', '--no-discovery', '--data-dir', dir]);
  const ev = await raw(again.url + route('v1Event', { id: id! }));
  assert.equal(ev.status, 200);
  const exited2 = new Promise<number | null>((r) => again.child.once('exit', (c) => r(c)));
  again.child.kill('SIGINT');
  assert.equal(await exited2, 0);
});

void test('-u and POST /api/apps/sync take a URL without a scheme as http (as blog posts write it)', async () => {
  const { parseDevArgs } = await import('../../runtime/cli');
  assert.deepEqual(parseDevArgs(['-u', 'localhost:3000/api/inngest', '-u', 'https://app.test/api/inngest']).sdkUrls, ['http://localhost:3000/api/inngest', 'https://app.test/api/inngest']);
  assert.throws(() => parseDevArgs(['-u', 'ftp://x/api']), /http\(s\) URL/);
  const own = await mkdtemp(join(tmpdir(), 'steplens-cli-scheme-'));
  const s = await startCli(['-p', '0', '--no-discovery', '--data-dir', own]);
  const res = await raw(s.url + route('appsSync'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: '127.0.0.1:9/api/inngest' }) });
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGKILL');
  await exited;
  await rm(own, { recursive: true, force: true });
  assert.equal(res.status, 200, res.text);
  assert.equal((JSON.parse(res.text) as { url: string }).url, 'http://127.0.0.1:9/api/inngest');
});
