// Routing and the HTTP-level guards: local Host only (DNS rebinding), no foreign Origin on
// state-changing requests, bounded bodies, JSON answers, and no handler error ever escaping.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Routes, type ApiError, type RouteName } from '../api';
import type { Logger } from '../log';

export interface Reply {
  status: number;
  body?: unknown;
  /** Sent as is instead of JSON. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

export interface Ctx {
  req: IncomingMessage;
  /** The response, for a handler that streams it itself (realtime SSE); the router then writes nothing. */
  res?: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The request body as text (bounded). */
  text(limit?: number): Promise<string>;
  /** The body parsed as JSON; throws HttpError(400) when it is not. */
  json(limit?: number): Promise<unknown>;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const DEFAULT_BODY_LIMIT = 64 * 1024 * 1024;

interface Entry {
  method: string;
  re: RegExp;
  keys: string[];
  handler: Handler;
}

function compileRoute(template: string): { re: RegExp; keys: string[] } {
  const keys: string[] = [];
  const src = template
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        keys.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { re: new RegExp(`^${src}/?$`), keys };
}

export const apiError = (status: number, error: string, hint?: string): Reply => ({ status, body: (hint ? { error, hint } : { error }) satisfies ApiError });

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The routes SDKs call (events, sync, checkpoints, state, signals). When the user binds a
 * non-loopback address (`--host 0.0.0.0`, for apps in containers), these accept any Host:
 * an app reaches the executor as `host.docker.internal` or a compose service name. Browser-facing
 * routes (/api, the stream, the panel) keep the DNS-rebinding guard.
 */
const SDK_ROUTES: readonly RouteName[] = ['eventApi', 'register', 'checkpointAsync', 'runActions', 'runBatch', 'devInfo', 'signals', 'realtimePublish', 'realtimePublishTee', 'realtimeToken', 'realtimeConnect', 'realtimeSse'];
const SDK_PATTERNS = SDK_ROUTES.map((n) => compileRoute(Routes[n]).re);

export class Router {
  private readonly entries: Entry[] = [];
  private fallback: Handler | undefined;

  constructor(
    private readonly log: Logger,
    /** The host the server is bound to; non-loopback binds also accept IP-literal Hosts. */
    private readonly bindHost: string,
  ) {}

  on(method: string, name: RouteName, handler: Handler): this {
    this.entries.push({ method, ...compileRoute(Routes[name]), handler });
    return this;
  }

  otherwise(handler: Handler): this {
    this.fallback = handler;
    return this;
  }

  /** Why a WebSocket upgrade must be refused (the same Host and Origin rules as requests), or null. */
  upgradeRefusal(req: IncomingMessage): string | null {
    if (!this.hostAllowed(req.headers.host) && !this.sdkFromAnyHost(req)) return `refused: the Host header ${JSON.stringify(req.headers.host ?? '')} is not local`;
    if (!this.originAllowed(req.headers.origin)) return `refused: the origin ${req.headers.origin} may not open a WebSocket here`;
    return null;
  }

  private hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
    if (LOCAL_HOSTS.has(name.toLowerCase())) return true;
    if (name === this.bindHost) return true;
    const loopbackBind = LOCAL_HOSTS.has(this.bindHost);
    return !loopbackBind && /^(\d{1,3}\.){3}\d{1,3}$|^\[[0-9a-f:]+\]$/i.test(name);
  }

  private originAllowed(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    if (origin.startsWith('vscode-webview://')) return true;
    try {
      const u = new URL(origin);
      return (u.protocol === 'http:' || u.protocol === 'https:') && this.hostAllowed(u.host);
    } catch {
      return false;
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.dispatch(req, res);
    } catch (e) {
      if (e instanceof HttpError) reply = apiError(e.status, e.message, e.hint);
      else {
        this.log.error(`handler failed for ${req.method} ${req.url}: ${(e as Error)?.stack ?? String(e)}`);
        reply = apiError(500, `internal error: ${(e as Error)?.message ?? String(e)}`);
      }
    }
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = { 'x-inngest-server-kind': 'dev', ...reply.headers };
    // The panel in a VS Code webview (origin vscode-webview://...) calls this API cross-origin.
    const origin = req.headers.origin;
    if (origin && this.originAllowed(origin) && reply.status !== 403) {
      headers['access-control-allow-origin'] = origin;
      headers['vary'] = 'Origin';
    }
    let payload: string | Buffer;
    if (reply.raw !== undefined) payload = reply.raw;
    else if (reply.body === undefined) payload = '';
    else {
      payload = JSON.stringify(reply.body);
      headers['content-type'] ??= 'application/json';
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
  }

  /** An SDK route on a non-loopback bind: any Host may call it (see SDK_ROUTES). */
  private sdkFromAnyHost(req: IncomingMessage): boolean {
    if (LOCAL_HOSTS.has(this.bindHost)) return false;
    const path = (req.url ?? '/').split('?')[0]!;
    return SDK_PATTERNS.some((re) => re.test(path));
  }

  private async dispatch(req: IncomingMessage, res?: ServerResponse): Promise<Reply> {
    if (!this.hostAllowed(req.headers.host) && !this.sdkFromAnyHost(req)) {
      return apiError(403, `refused: the Host header ${JSON.stringify(req.headers.host ?? '')} is not local`, 'Open Steplens at http://127.0.0.1:PORT (requests through other host names are refused to block DNS rebinding)');
    }
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS' && !this.originAllowed(req.headers.origin)) {
      return apiError(403, `refused: requests from the origin ${req.headers.origin} may not change state`, 'Use the Steplens panel or a local tool');
    }
    if (method === 'OPTIONS') {
      if (!this.originAllowed(req.headers.origin)) return apiError(403, `refused: cross-origin requests from ${req.headers.origin} are not allowed`);
      return {
        status: 204,
        raw: '',
        headers: {
          'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization, x-inngest-event-id-seed',
          'access-control-max-age': '600',
        },
      };
    }
    const url = new URL(req.url ?? '/', 'http://local');
    let bodyText: Promise<string> | undefined;
    const ctx: Ctx = {
      req,
      res,
      params: {},
      query: url.searchParams,
      text: (limit = DEFAULT_BODY_LIMIT) => (bodyText ??= readBody(req, limit)),
      json: async (limit) => {
        const t = await ctx.text(limit);
        try {
          return JSON.parse(t) as unknown;
        } catch (e) {
          throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`);
        }
      },
    };
    let pathMatched = false;
    for (const e of this.entries) {
      const m = e.re.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (e.method !== method && !(method === 'HEAD' && e.method === 'GET')) continue;
      e.keys.forEach((k, i) => {
        try {
          ctx.params[k] = decodeURIComponent(m[i + 1]!);
        } catch {
          ctx.params[k] = m[i + 1]!;
        }
      });
      return e.handler(ctx);
    }
    if (pathMatched) return apiError(405, `${method} is not allowed on ${url.pathname}`);
    if (this.fallback) return this.fallback(ctx);
    return apiError(404, `no route ${method} ${url.pathname}`);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new HttpError(413, `the body is larger than ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(new HttpError(400, `could not read the body: ${e.message}`));
      }
    });
  });
}
