// The outbound HTTP calls the executor makes on behalf of a function: `step.fetch` (op `Gateway`)
// and `step.ai.infer` (op `AIGateway`), as the Inngest executor does them (PROTOCOL §4.3-4.4; see
// runtime/ARCHITECTURE.md, "Protocol decisions"). This file only builds, sends and judges one
// request; what the result does to the run is in ops.ts (`startGateway`). Nothing from the op is
// ever evaluated: it is a URL, a method, headers and a body string.
import type { SerializedError } from '../api';
import type { SdkOp } from './sdk-client';

/** Longest a call may take (AI calls can be slow); then it fails like a refused connection. */
export const GATEWAY_TIMEOUT_MS = 5 * 60 * 1000;
/** Largest response body kept: the step output limit (PROTOCOL §14). */
export const GATEWAY_MAX_BODY_BYTES = 4 * 1024 * 1024;

export type GatewayKind = 'fetch' | 'ai';

export interface GatewayRequest {
  kind: GatewayKind;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export type GatewayOutcome =
  /** The memoized value to store: `{data: ...}`. */
  | { ok: true; value: { data: unknown }; status: number }
  /** The call failed: `retriable` ones are retried per the function's policy (like a StepError). */
  | { ok: false; error: SerializedError; retriable: boolean };

/** Headers the HTTP client sets itself (or that would break the framing): never copied from an op. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);
/** Header names whose values are credentials: redacted in what the run history keeps. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie', 'x-goog-api-key']);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

class InvalidGatewayOp extends Error {
  override name = 'InvalidGatewayOp';
}

function stringHeaders(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === undefined || val === null) continue;
    if (HOP_BY_HOP.has(k.toLowerCase())) continue;
    out[k.toLowerCase()] = String(val);
  }
  return out;
}

function httpUrl(v: unknown, what: string): URL {
  let u: URL;
  try {
    u = new URL(String(v ?? ''));
  } catch (e) {
    throw new InvalidGatewayOp(`${what}: ${JSON.stringify(v)} is not a URL`, { cause: e });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidGatewayOp(`${what}: only http and https URLs can be called, not ${u.protocol}`);
  return u;
}

/** `step.fetch`: `opts: {url, method, headers, body}` (the SDK copies them from `fetch(input, init)`). */
function fetchRequest(op: SdkOp): GatewayRequest {
  const o = op.opts ?? {};
  const url = httpUrl(o.url, 'step.fetch');
  const method = String(o.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new InvalidGatewayOp(`step.fetch: unsupported method ${JSON.stringify(o.method)}`);
  let body: string | undefined;
  if (typeof o.body === 'string') body = o.body;
  else if (o.body !== undefined && o.body !== null) {
    throw new InvalidGatewayOp('step.fetch: the request body must be a string (e.g. JSON.stringify(...)); streams, FormData and binary bodies cannot be sent through the executor');
  }
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) throw new InvalidGatewayOp(`step.fetch: a ${method} request cannot have a body`);
  return { kind: 'fetch', url: url.href, method, headers: stringHeaders(o.headers), body };
}

/**
 * `step.ai.infer`: `opts: {url, headers, auth_key, format, body}`. Always a JSON POST; the key goes
 * where the provider expects it: `x-api-key` (anthropic), `?key=` (gemini), the raw
 * `Authorization` (bedrock), else `Authorization: Bearer` (openai-chat and the rest). The op's
 * own headers win over these.
 */
function aiRequest(op: SdkOp): GatewayRequest {
  const o = op.opts ?? {};
  const url = httpUrl(o.url, 'step.ai.infer');
  const key = typeof o.auth_key === 'string' ? o.auth_key : '';
  const format = typeof o.format === 'string' ? o.format : '';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== '') {
    if (format === 'gemini') {
      if (!url.searchParams.has('key')) url.searchParams.set('key', key);
    } else if (format === 'anthropic') headers['x-api-key'] = key;
    else if (format === 'bedrock') headers['authorization'] = key;
    else headers['authorization'] = `Bearer ${key}`;
  }
  Object.assign(headers, stringHeaders(o.headers));
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  return { kind: 'ai', url: url.href, method: 'POST', headers, body };
}

/** The request an op asks for, or why it cannot be made (a failure no retry would change). */
export function gatewayRequest(op: SdkOp): GatewayRequest | { error: SerializedError } {
  try {
    return op.op === 'AIGateway' ? aiRequest(op) : fetchRequest(op);
  } catch (e) {
    if (e instanceof InvalidGatewayOp) return { error: { name: op.op === 'AIGateway' ? 'AIGatewayError' : 'GatewayError', message: e.message } };
    throw e;
  }
}

/** A copy of the op's opts without credentials, for the run history. */
export function redactOpts(opts: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!opts) return opts;
  const out: Record<string, unknown> = { ...opts };
  if (typeof out.auth_key === 'string' && out.auth_key !== '') out.auth_key = '[redacted]';
  if (out.headers && typeof out.headers === 'object' && !Array.isArray(out.headers)) {
    const h: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(out.headers as Record<string, unknown>)) h[k] = SECRET_HEADERS.has(k.toLowerCase()) ? '[redacted]' : v;
    out.headers = h;
  }
  if (typeof out.url === 'string') out.url = redactUrl(out.url);
  return out;
}

function redactUrl(s: string): string {
  try {
    const u = new URL(s);
    let changed = false;
    for (const k of ['key', 'api_key', 'apikey', 'token']) {
      if (u.searchParams.has(k)) {
        u.searchParams.set(k, 'redacted');
        changed = true;
      }
    }
    if (u.password) {
      u.password = 'redacted';
      changed = true;
    }
    return changed ? u.href : s;
  } catch {
    return s;
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<Buffer | null> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function reason(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return 'timed out';
  const c = err?.cause;
  if (c && (c.code || c.message)) return [c.code, c.message].filter(Boolean).join(': ');
  return err?.message ?? String(e);
}

/**
 * Sends the request (redirects followed, gzip/br decoded, at most `timeoutMs`, at most `maxBytes`
 * of body) and judges the answer:
 * - `fetch`: any HTTP answer is a result `{url, headers, body, status_code}` (a 404 or a 500
 *   included: the function sees the status); only a transport failure is an error.
 * - `ai`: a 2xx JSON body is the result (the provider's JSON as is); a non-2xx answer, a body that
 *   is not JSON, or a transport failure is an `AIGatewayError` carrying the body.
 */
export async function performGateway(
  req: GatewayRequest,
  opts: { signal?: AbortSignal; timeoutMs?: number; maxBytes?: number } = {},
): Promise<GatewayOutcome> {
  const maxBytes = opts.maxBytes ?? GATEWAY_MAX_BODY_BYTES;
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? GATEWAY_TIMEOUT_MS);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const name = req.kind === 'ai' ? 'AIGatewayError' : 'GatewayError';
  const prefix = req.kind === 'ai' ? 'Error making AI request' : 'Error making gateway request';
  const headers = { 'user-agent': 'Steplens', ...req.headers };
  let res: Response;
  let bytes: Buffer | null;
  try {
    res = await fetch(req.url, { method: req.method, headers, body: req.body, redirect: 'follow', signal });
    bytes = await readCapped(res, maxBytes);
  } catch (e) {
    return { ok: false, retriable: true, error: { name, message: `${prefix}: ${req.method} ${req.url} failed: ${reason(e)}` } };
  }
  if (bytes === null) {
    return { ok: false, retriable: true, error: { name, message: `${prefix}: the response of ${req.method} ${req.url} is larger than ${maxBytes} bytes (the step output limit)` } };
  }
  const text = bytes.toString('utf8');
  if (req.kind === 'fetch') {
    const out: Record<string, string> = {};
    // The body is decoded already: its encoding and length no longer describe it.
    res.headers.forEach((v, k) => {
      if (k !== 'content-encoding' && k !== 'content-length') out[k] = v;
    });
    return { ok: true, status: res.status, value: { data: { url: req.url, headers: out, body: text, status_code: res.status } } };
  }
  if (res.status > 299) {
    return { ok: false, retriable: true, error: { name, message: `${prefix}: unsuccessful status code: ${res.status} from ${req.url}`, stack: text || '{"error":"Error making AI request"}' } };
  }
  try {
    return { ok: true, status: res.status, value: { data: JSON.parse(text) as unknown } };
  } catch {
    return { ok: false, retriable: true, error: { name, message: `${prefix}: ${req.url} answered ${res.status} with a body that is not JSON`, stack: text.slice(0, 2000) } };
  }
}
