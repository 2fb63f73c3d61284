// runtime/engine/gateway.ts on its own: the request each op asks for (auth per AI `format`, what is
// refused), the redaction kept in the run history, and the transport limits (timeout, body cap)
// against a local server. No SDK involved.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { gatewayRequest, performGateway, redactOpts, type GatewayRequest } from '../../runtime/engine/gateway';
import type { SdkOp } from '../../runtime/engine/sdk-client';

const op = (kind: 'Gateway' | 'AIGateway', opts: Record<string, unknown>): SdkOp => ({ id: 'a'.repeat(40), op: kind, opts }) as SdkOp;

function req(o: SdkOp): GatewayRequest {
  const r = gatewayRequest(o);
  if ('error' in r) throw new Error(`unexpected refusal: ${r.error.message}`);
  return r;
}

void describe('gateway requests', () => {
  void test('AI formats put the key where each provider expects it; op headers win', () => {
    const body = { messages: [{ role: 'user', content: 'hi' }] };
    const openai = req(op('AIGateway', { url: 'https://api.example/v1/chat/completions', auth_key: 'k1', format: 'openai-chat', body }));
    assert.equal(openai.method, 'POST');
    assert.equal(openai.headers['authorization'], 'Bearer k1');
    assert.equal(openai.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(openai.body!), body);

    const anthropic = req(op('AIGateway', { url: 'https://api.example/v1/messages', auth_key: 'k2', format: 'anthropic', headers: { 'anthropic-version': '2023-06-01' }, body }));
    assert.equal(anthropic.headers['x-api-key'], 'k2');
    assert.equal(anthropic.headers['anthropic-version'], '2023-06-01');
    assert.equal(anthropic.headers['authorization'], undefined);

    const gemini = req(op('AIGateway', { url: 'https://g.example/v1beta/models/m:generateContent', auth_key: 'k3', format: 'gemini', body }));
    assert.equal(new URL(gemini.url).searchParams.get('key'), 'k3');
    assert.equal(gemini.headers['authorization'], undefined);
    // The SDK's gemini model already puts the key in the URL: it is not added twice.
    const gemini2 = req(op('AIGateway', { url: 'https://g.example/m:generateContent?key=k3', auth_key: 'k3', format: 'gemini', body }));
    assert.deepEqual(new URL(gemini2.url).searchParams.getAll('key'), ['k3']);

    const bedrock = req(op('AIGateway', { url: 'https://b.example/invoke', auth_key: 'AWS4-HMAC-SHA256 x', format: 'bedrock', body }));
    assert.equal(bedrock.headers['authorization'], 'AWS4-HMAC-SHA256 x');

    const azure = req(op('AIGateway', { url: 'https://a.example/x', auth_key: 'k4', format: 'azure-openai', headers: { 'api-key': 'k4', Authorization: 'custom' }, body }));
    assert.equal(azure.headers['api-key'], 'k4');
    assert.equal(azure.headers['authorization'], 'custom');

    const keyless = req(op('AIGateway', { url: 'http://127.0.0.1:1/v1/chat/completions', auth_key: '', format: 'openai-chat', body }));
    assert.equal(keyless.headers['authorization'], undefined);
  });

  void test('step.fetch: method, headers and a string body as given; hop-by-hop headers dropped', () => {
    const r = req(op('Gateway', { url: 'http://127.0.0.1:9/x?y=1', method: 'put', headers: { 'X-A': '1', Host: 'evil', 'Content-Length': '99' }, body: 'raw' }));
    assert.deepEqual(r, { kind: 'fetch', url: 'http://127.0.0.1:9/x?y=1', method: 'PUT', headers: { 'x-a': '1' }, body: 'raw' });
    assert.equal(req(op('Gateway', { url: 'http://127.0.0.1:9/' })).method, 'GET');
  });

  void test('requests that can never work are refused with a message that says why', () => {
    const cases: [SdkOp, RegExp][] = [
      [op('Gateway', { url: 'file:///etc/passwd' }), /only http and https/],
      [op('Gateway', { url: 'not a url' }), /is not a URL/],
      [op('Gateway', { url: 'http://127.0.0.1:9/', method: 'POST', body: { a: 1 } }), /body must be a string/],
      [op('Gateway', { url: 'http://127.0.0.1:9/', method: 'GET', body: 'x' }), /GET request cannot have a body/],
      [op('Gateway', { url: 'http://127.0.0.1:9/', method: 'BREW' }), /unsupported method/],
      [op('AIGateway', { url: 'ftp://x/', format: 'openai-chat' }), /only http and https/],
    ];
    for (const [o, re] of cases) {
      const r = gatewayRequest(o);
      assert.ok('error' in r, `${JSON.stringify(o.opts)} was not refused`);
      assert.match(r.error.message, re);
      assert.equal(r.error.name, o.op === 'AIGateway' ? 'AIGatewayError' : 'GatewayError');
    }
  });

  void test('redaction keeps credentials out of the history and leaves the op untouched', () => {
    const opts = { url: 'https://g.example/m?key=secret1&x=1', auth_key: 'secret2', headers: { Authorization: 'Bearer secret3', 'x-api-key': 'secret4', 'x-other': 'ok' }, body: { q: 1 } };
    const r = redactOpts(opts)!;
    const text = JSON.stringify(r);
    for (const s of ['secret1', 'secret2', 'secret3', 'secret4']) assert.ok(!text.includes(s), `${s} kept: ${text}`);
    assert.equal((r.headers as Record<string, string>)['x-other'], 'ok');
    assert.deepEqual(r.body, { q: 1 });
    assert.equal(opts.auth_key, 'secret2');
  });
});

void describe('gateway transport limits', () => {
  let server: http.Server;
  let base = '';
  before(async () => {
    server = http.createServer((rq, rs) => {
      if (rq.url === '/big') {
        rs.writeHead(200, { 'content-type': 'text/plain' });
        rs.end('x'.repeat(5000));
      } else if (rq.url === '/slow') {
        // Never answers: the caller's timeout must end it.
      } else if (rq.url === '/notjson') {
        rs.writeHead(200, { 'content-type': 'text/html' });
        rs.end('<html>');
      } else {
        rs.writeHead(200, { 'content-type': 'application/json', 'x-b': 'y' });
        rs.end('{"ok":true}');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const fetchReq = (path: string): GatewayRequest => ({ kind: 'fetch', url: base + path, method: 'GET', headers: {} });

  void test('a body over the cap is a retriable error, not a truncated result', async () => {
    const r = await performGateway(fetchReq('/big'), { maxBytes: 1000 });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.retriable && /larger than 1000 bytes/.test(r.error.message));
    const ok = await performGateway(fetchReq('/big'), { maxBytes: 10_000 });
    assert.ok(ok.ok && (ok.value.data as { body: string }).body.length === 5000);
  });

  void test('a call that takes longer than the timeout fails as timed out', async () => {
    const r = await performGateway(fetchReq('/slow'), { timeoutMs: 200 });
    assert.ok(!r.ok && r.retriable && /timed out/.test(r.error.message), JSON.stringify(r));
  });

  void test('an AI endpoint answering 200 with something that is not JSON is an AIGatewayError', async () => {
    const r = await performGateway({ kind: 'ai', url: `${base}/notjson`, method: 'POST', headers: {}, body: '{}' });
    assert.ok(!r.ok && r.error.name === 'AIGatewayError' && /not JSON/.test(r.error.message), JSON.stringify(r));
    const good = await performGateway({ kind: 'ai', url: `${base}/json`, method: 'POST', headers: {}, body: '{}' });
    assert.ok(good.ok);
    assert.deepEqual(good.value, { data: { ok: true } });
  });
});
