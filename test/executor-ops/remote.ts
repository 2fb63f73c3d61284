// A local HTTP server standing in for what the executor calls on a function's behalf: a remote API
// (step.fetch) and OpenAI- / Anthropic-compatible model endpoints (step.ai.infer). It records every
// request so tests can check what the executor sent (method, headers, body, credentials).
//
//   POST /api/echo?tag=T              201 JSON echo of the request, header x-remote: yes
//   GET  /api/missing?tag=T           404 text
//   GET  /api/flaky?tag=T&fail=N      the first N requests per tag: connection destroyed; then 200
//   GET  /api/hold?tag=T              the first request per tag is never answered; later ones: 200
//   POST /openai/<tag>/<fail>/v1/chat/completions   the first <fail> per tag: 500; then a chat completion
//   POST /anthropic/v1/messages       an Anthropic message (401 without the expected x-api-key)
import http from 'node:http';

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export const OPENAI_KEY = 'sk-test-key';
export const ANTHROPIC_KEY = 'ak-test-key';

export class Remote {
  readonly requests: Recorded[] = [];
  private readonly seen = new Map<string, number>();
  private constructor(
    private readonly server: http.Server,
    readonly base: string,
  ) {}

  static async start(): Promise<Remote> {
    let remote: Remote | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => remote!.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    remote = new Remote(server, `http://127.0.0.1:${port}`);
    return remote;
  }

  /** Requests to paths that start with `prefix` and carry `tag` (query or path). */
  to(prefix: string, tag: string): Recorded[] {
    return this.requests.filter((r) => r.path.startsWith(prefix) && (r.query.get('tag') === tag || r.path.includes(`/${tag}/`) || r.body.includes(tag)));
  }

  private count(key: string): number {
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return n;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://remote');
    const rec: Recorded = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    this.requests.push(rec);
    const json = (status: number, v: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(v));
    };
    const tag = url.searchParams.get('tag') ?? '';
    if (url.pathname === '/api/echo') {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = body;
      }
      return json(201, { method: rec.method, tag, xTag: req.headers['x-tag'] ?? null, received: parsed }, { 'x-remote': 'yes' });
    }
    if (url.pathname === '/api/missing') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end(`nothing here for ${tag}`);
    }
    if (url.pathname === '/api/flaky') {
      const n = this.count(`flaky:${tag}`);
      if (n <= Number(url.searchParams.get('fail') ?? 0)) return void req.socket.destroy();
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`ok on call ${n}`);
    }
    if (url.pathname === '/api/hold') {
      const n = this.count(`hold:${tag}`);
      if (n === 1) return; // held until the caller goes away
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`answered call ${n}`);
    }
    const openai = url.pathname.match(/^\/openai\/([^/]+)\/(\d+)\/v1\/chat\/completions$/);
    if (openai && rec.method === 'POST') {
      const [, t, fail] = openai;
      if (req.headers.authorization !== `Bearer ${OPENAI_KEY}`) return json(401, { error: { message: 'bad key' } });
      const n = this.count(`openai:${t}`);
      if (n <= Number(fail)) return json(500, { error: { message: `overloaded (call ${n})`, type: 'server_error' } });
      const b = JSON.parse(body) as { model: string; messages: { content: string }[] };
      return json(200, {
        id: `chatcmpl-${t}-${n}`,
        object: 'chat.completion',
        created: 1,
        model: b.model,
        choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${b.messages.at(-1)?.content}` }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    }
    if (url.pathname === '/anthropic/v1/messages' && rec.method === 'POST') {
      if (req.headers['x-api-key'] !== ANTHROPIC_KEY) return json(401, { type: 'error', error: { type: 'authentication_error', message: 'bad key' } });
      const b = JSON.parse(body) as { model: string; max_tokens: number; messages: { content: string }[] };
      return json(200, {
        id: 'msg_test',
        type: 'message',
        role: 'assistant',
        model: b.model,
        content: [{ type: 'text', text: `echo: ${b.messages.at(-1)?.content} (max ${b.max_tokens})` }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 1, output_tokens: 1 },
      });
    }
    json(404, { error: `no route ${rec.method} ${url.pathname}` });
  }

  async dispose(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
