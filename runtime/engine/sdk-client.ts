// One HTTP call from the executor to an app, and the classification of what came back
// (PROTOCOL §3-4). Nothing the app sends can throw out of here: every oddity becomes a result.
import http from 'node:http';
import https from 'node:https';
import type { SerializedError } from '../api';

export interface SdkOp {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  opts?: Record<string, unknown>;
  data?: unknown;
  error?: SerializedError;
  userland?: { id: string; index?: number };
  timing?: { a?: number; b?: number };
  [extra: string]: unknown;
}

export type SdkResult =
  | { kind: 'complete'; status: number; output: unknown; version: number | null }
  | {
      kind: 'ops';
      status: number;
      ops: SdkOp[];
      version: number | null;
      noRetry: boolean;
      retryAfter?: string;
      /** Length of the answer's body (UTF-16 units): bounds every op's size without measuring each again. */
      bodyLength: number;
    }
  | {
      kind: 'error';
      status: number | null;
      error: SerializedError;
      noRetry: boolean;
      retryAfter?: string;
      /** The SDK could not find the requested step (renamed in code): fall back to discovery. */
      stepNotFound?: boolean;
      /** The app does not know the function: it needs a re-sync. */
      unknownFunction?: boolean;
      /** The connection dropped after the request went out: the app went away (restart, crash). */
      interrupted?: 'app';
    };

const agentHttp = new http.Agent({ keepAlive: true, maxSockets: 256 });
const agentHttps = new https.Agent({ keepAlive: true, maxSockets: 256 });

/** Largest response read from an app (PROTOCOL §14: 8 MB, with headroom). */
const MAX_RESPONSE = 16 * 1024 * 1024;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export class SdkTransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SdkTransportError';
  }
}

/** A plain HTTP request with a body; rejects only with SdkTransportError. */
export function httpRequest(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
  /**
   * Resend once when a kept-alive socket the app closed as we reused it fails with ECONNRESET
   * (the retry Node's docs recommend). Only for idempotent calls (sync pings, probes): an
   * execution request may have reached the app, so its failure is an attempt like any other.
   */
  idempotent = false,
): Promise<RawResponse> {
  return sendOnce(method, url, headers, body, timeoutMs, signal).catch((e: unknown) => {
    if (idempotent && e instanceof StaleSocketError) return sendOnce(method, url, headers, body, timeoutMs, signal);
    throw e;
  });
}

class StaleSocketError extends SdkTransportError {}

/** How a request cut off by the app's side reads (a restart on save, a crash: F8 of the executor audit). */
export const APP_WENT_AWAY = 'the app went away during the request (did it restart or crash?)';
/** Transport codes of a request that reached the app and lost its connection before the answer. */
const CUT_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'connection_lost', 'EPIPE', 'UND_ERR_SOCKET']);

const aborted = (): SdkTransportError => new SdkTransportError('request aborted (executor stopping)', 'ABORT_ERR');

/**
 * Requests in flight per caller signal. Every request shares the engine's (or syncer's) one
 * signal; giving it to `http.request` would add one abort listener per request in flight (Node
 * warns past 10). Instead each signal gets a single listener that ends whatever is in flight.
 */
const inFlight = new WeakMap<AbortSignal, Set<http.ClientRequest>>();

/** Registers `req` to be destroyed when `signal` aborts; returns the unregister function. */
function abortWith(signal: AbortSignal, req: http.ClientRequest): () => void {
  let live = inFlight.get(signal);
  if (!live) {
    const set = new Set<http.ClientRequest>();
    live = set;
    inFlight.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const r of set) r.destroy(aborted());
        set.clear();
      },
      { once: true },
    );
  }
  live.add(req);
  const set = live;
  return () => set.delete(req);
}

function sendOnce(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch (cause) {
      reject(new SdkTransportError(`invalid app URL ${url}`, 'bad_url', { cause }));
      return;
    }
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method,
        headers: body !== undefined ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
        agent: u.protocol === 'https:' ? agentHttps : agentHttp,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE) {
            req.destroy(new SdkTransportError(`response larger than ${MAX_RESPONSE} bytes`, 'too_large'));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (cause) => reject(new SdkTransportError(`${APP_WENT_AWAY}: the connection was lost while reading its answer (${cause.message})`, 'connection_lost', { cause })));
      },
    );
    if (signal) req.once('close', abortWith(signal, req));
    req.setTimeout(timeoutMs, () => req.destroy(new SdkTransportError(`no response within ${Math.round(timeoutMs / 1000)} s`, 'timeout')));
    let gotResponse = false;
    req.on('response', () => (gotResponse = true));
    req.on('error', (cause: NodeJS.ErrnoException) => {
      if (cause instanceof SdkTransportError) return reject(cause);
      const code = cause.code ?? 'error';
      if (code === 'ECONNRESET' && req.reusedSocket && !gotResponse) {
        return reject(new StaleSocketError(`${APP_WENT_AWAY}, or it dropped an idle kept-alive connection as the executor reused it`, 'ECONNRESET', { cause }));
      }
      const msg =
        code === 'ECONNREFUSED'
          ? `connection refused by ${u.host}: is the app running?`
          : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
            ? `${APP_WENT_AWAY}: the connection closed before it answered (see the app's console)`
            : code === 'ABORT_ERR'
              ? 'request aborted (executor stopping)'
              : `request to ${u.host} failed: ${cause.message}`;
      reject(new SdkTransportError(msg, code === 'ECONNREFUSED' ? 'unreachable' : code, { cause }));
    });
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const header = (h: http.IncomingHttpHeaders, k: string): string | undefined => {
  const v = h[k];
  return Array.isArray(v) ? v[0] : v;
};

const errorOf = (name: string, message: string): SerializedError => ({ name, message });

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? t.slice(0, 120) + '…' : t || '(empty body)';
}

function asSerializedError(v: unknown, fallback: string): SerializedError {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.message === 'string' || typeof o.name === 'string') {
      return { ...o, name: typeof o.name === 'string' ? o.name : 'Error', message: typeof o.message === 'string' ? o.message : fallback } as SerializedError;
    }
    if (typeof o.error === 'string') return { ...o, name: 'Error', message: o.error } as SerializedError;
  }
  if (typeof v === 'string') return errorOf('Error', v);
  return errorOf('Error', fallback);
}

/** The `<title>` of an HTML page, or its first words of text, for an error message. */
function htmlGist(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const text = (title ?? html.replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return snippet(text);
}

const looksLikeHtml = (h: http.IncomingHttpHeaders, body: string): boolean =>
  /text\/html/i.test(header(h, 'content-type') ?? '') || /^\s*<(!doctype|html)/i.test(body);

/**
 * Classifies an app's answer to an execution request. `sentBytes`: the size of the request body,
 * for the message when a framework's body parser refuses it.
 */
export function classify(res: RawResponse, sentBytes?: number): SdkResult {
  let { status, body } = res;
  let headers = res.headers;
  const isSdk = header(headers, 'x-inngest-sdk') !== undefined;
  // Streaming mode wraps the real answer (PROTOCOL §4.1).
  if (status === 201 && isSdk) {
    const w = parseJson(body);
    if (w.ok && w.value && typeof w.value === 'object') {
      const o = w.value as { status?: number; body?: unknown; headers?: Record<string, string> };
      status = typeof o.status === 'number' ? o.status : 500;
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body ?? null);
      headers = { ...headers, ...Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])) };
    }
  }
  const vh = header(headers, 'x-inngest-req-version');
  const version = vh !== undefined && /^-?\d+$/.test(vh) ? Number(vh) : null;
  const noRetry = header(headers, 'x-inngest-no-retry') === 'true';
  const retryAfter = header(headers, 'retry-after');

  if (status >= 200 && status < 300 && !isSdk) {
    return {
      kind: 'error',
      status,
      noRetry: false,
      error: errorOf('NotAnSdkError', `the app answered ${status} without an x-inngest-sdk header: not an Inngest SDK endpoint (${snippet(body)})`),
    };
  }
  if (status === 200) {
    const p = parseJson(body === '' ? 'null' : body);
    if (!p.ok) return { kind: 'error', status, noRetry: false, error: errorOf('BadSdkResponse', `200 with a body that is not JSON: ${snippet(body)}`) };
    return { kind: 'complete', status, output: p.value, version };
  }
  if (status === 206) {
    const p = parseJson(body);
    if (!p.ok) return { kind: 'error', status, noRetry: false, error: errorOf('BadSdkResponse', `206 with a body that is not JSON: ${snippet(body)}`) };
    const raw = Array.isArray(p.value) ? p.value : p.value && typeof p.value === 'object' ? [p.value] : null;
    if (!raw) return { kind: 'error', status, noRetry: false, error: errorOf('BadSdkResponse', `206 with a body that is not an op list: ${snippet(body)}`) };
    const ops: SdkOp[] = [];
    for (const o of raw) {
      if (!o || typeof o !== 'object' || typeof (o as SdkOp).op !== 'string') {
        return { kind: 'error', status, noRetry: false, error: errorOf('BadSdkResponse', `206 with an op that has no "op" field: ${snippet(JSON.stringify(o) ?? '')}`) };
      }
      const op = o as SdkOp;
      if (op.op !== 'None' && typeof op.id !== 'string') {
        return { kind: 'error', status, noRetry: false, error: errorOf('BadSdkResponse', `206 with a ${op.op} op that has no "id"`) };
      }
      if (op.op !== 'None') ops.push(op);
    }
    return { kind: 'ops', status, ops, version, noRetry, retryAfter, bodyLength: body.length };
  }
  // Everything else is a function-level failure.
  const p = parseJson(body);
  // Not the SDK answering (cloud mode, the framework, a proxy): the attempt failed, retried as usual.
  const notSdk = (name: string, message: string): SdkResult => ({ kind: 'error', status, noRetry: false, retryAfter, error: errorOf(name, message) });
  if (!isSdk && header(headers, 'x-inngest-sdk-handled') === 'true') {
    return notSdk('AppInCloudMode', `the app is in cloud mode and refused the request (${status}): start it with INNGEST_DEV=1, or pass --signing-key with its signing key`);
  }
  if (!isSdk && status === 413) {
    const size = sentBytes !== undefined ? ` (${sentBytes.toLocaleString('en-US')} bytes: the run's memoized state)` : '';
    return notSdk(
      'RequestTooLarge',
      `the app's web framework refused the request body${size} with 413 before the SDK saw it: raise its body size limit, e.g. express.json({ limit: '10mb' }) or Fastify's bodyLimit (Inngest sends the same state, so it needs the same limit)`,
    );
  }
  if (!isSdk && status >= 400 && looksLikeHtml(headers, body)) {
    return notSdk(
      'AppErrorPage',
      `the app answered ${status} with an HTML error page instead of the SDK: a framework error (a compile error, a crashed route, a size limit) before the Inngest handler ran; see the app's console. Page: ${htmlGist(body)}`,
    );
  }
  if (!isSdk) {
    const what = status >= 300 && status < 400 ? 'a redirect' : `status ${status}`;
    return notSdk('BadSdkResponse', `the app answered ${what} without an x-inngest-sdk header (is the URL right?): ${snippet(body)}`);
  }
  const value = p.ok ? p.value : body;
  const err = asSerializedError(value, `the app answered ${status}: ${snippet(body)}`);
  const msg = typeof err.message === 'string' ? err.message : '';
  const stepNotFound = status === 500 && /Could not find step/i.test(typeof (value as { error?: unknown })?.error === 'string' ? String((value as { error: string }).error) : msg);
  const unknownFunction = status === 500 && /not found/i.test(msg) && /synced/i.test(msg);
  if (status === 401) err.message = `${err.message} (the app refused an unsigned request: it is in cloud mode; start it with INNGEST_DEV=1 or pass --signing-key)`;
  return { kind: 'error', status, error: err, noRetry, retryAfter, stepNotFound, unknownFunction };
}

export function transportFailure(e: unknown): SdkResult {
  const message = e instanceof Error ? e.message : String(e);
  const code = e instanceof SdkTransportError ? e.code : 'error';
  return { kind: 'error', status: null, noRetry: false, error: { name: 'SdkTransportError', message, code }, ...(CUT_CODES.has(code) ? { interrupted: 'app' as const } : {}) };
}
