// A scripted stand-in for an SDK endpoint: answers the sync ping by registering functions, and
// answers execution requests from a script, recording every request. It lets tests check the
// exact protocol fields the executor sends (PROTOCOL §3), which real SDKs do not expose.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExecRequest {
  stepId: string;
  fnId: string;
  headers: http.IncomingHttpHeaders;
  body: {
    event: Record<string, unknown>;
    events: unknown[];
    steps: Record<string, unknown>;
    ctx: { attempt: number; max_attempts: number; fn_id?: string; qi_id?: string; run_id: string; disable_immediate_execution: boolean; stack: { stack: string[] } };
    version: number;
  };
}

export interface ExecReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Script = (req: ExecRequest, n: number) => ExecReply | Promise<ExecReply>;

export interface FakeFn {
  id: string;
  triggers: unknown[];
  retries?: number;
}

export class FakeSdk {
  readonly requests: ExecRequest[] = [];
  private server!: http.Server;
  url = '';
  functions: FakeFn[] = [];
  script: Script = () => ({ status: 200, body: null });
  /** Overrides what the sync PUT answers (after registering, unless `register` is false). */
  syncReply: { status: number; body: unknown; register: boolean } | undefined;
  appName = 'fake-app';

  static async start(executorUrl: string): Promise<FakeSdk> {
    const f = new FakeSdk();
    f.server = http.createServer((req, res) => void f.handle(executorUrl, req, res));
    await new Promise<void>((r) => f.server.listen(0, '127.0.0.1', r));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}/api/inngest`;
    return f;
  }

  registration(): Record<string, unknown> {
    return {
      url: this.url,
      appName: this.appName,
      framework: 'fake',
      sdk: 'js:v4.24.0',
      deployType: 'ping',
      v: '0.1',
      functions: this.functions.map((f) => ({
        id: f.id,
        name: f.id,
        triggers: f.triggers,
        steps: { step: { id: 'step', name: 'step', runtime: { type: 'http', url: `${this.url}?fnId=${f.id}&stepId=step` }, ...(f.retries !== undefined ? { retries: { attempts: f.retries } } : {}) } },
      })),
    };
  }

  private async handle(executorUrl: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let text = '';
    for await (const c of req) text += String(c);
    const sdkHeaders = { 'content-type': 'application/json', 'x-inngest-sdk': 'inngest-js:v4.24.0', 'x-inngest-req-version': '2' };
    if (req.method === 'GET') {
      res.writeHead(200, sdkHeaders).end(JSON.stringify({ function_count: this.functions.length, has_event_key: false, has_signing_key: false, mode: 'dev', schema_version: '2024-05-24' }));
      return;
    }
    if (req.method === 'PUT') {
      if (!this.syncReply || this.syncReply.register) {
        const r = await fetch(`${executorUrl}/fn/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(this.registration()) });
        await r.text();
      }
      const reply = this.syncReply ?? { status: 200, body: { message: 'Successfully registered', modified: true } };
      res.writeHead(reply.status, sdkHeaders).end(JSON.stringify(reply.body));
      return;
    }
    const u = new URL(req.url ?? '/', this.url);
    const r: ExecRequest = { stepId: u.searchParams.get('stepId') ?? '', fnId: u.searchParams.get('fnId') ?? '', headers: req.headers, body: JSON.parse(text) as ExecRequest['body'] };
    this.requests.push(r);
    const reply = await this.script(r, this.requests.length - 1);
    res.writeHead(reply.status, { ...sdkHeaders, ...reply.headers }).end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}

export const op = (o: Record<string, unknown>): Record<string, unknown> => ({ opts: {}, data: null, ...o });
