// Inngest realtime in the dev executor, as the Inngest Dev Server serves it
// (inngest/inngest pkg/execution/realtime): tokens, publishing, and live subscriptions.
//
//   POST /v1/realtime/token        [{channel, name, kind}] -> 201 {jwt}   (the SDK's getSubscriptionToken)
//   POST /v1/realtime/publish      ?channel=&topic=&run_id= body = the message (step.realtime.publish,
//                                  inngest.realtime.publish); `text/stream` bodies become a datastream
//   POST /v1/realtime/publish/tee  ?channel= raw bytes to every subscriber of the channel
//   GET  /v1/realtime/connect      WebSocket, ?token= (the SDK's subscribe)
//   GET  /v1/realtime/sse          Server-Sent Events, ?token=
//
// Messages go to whoever listens at that moment and are not kept (as in Go). The executor's hot path
// does not touch any of this: only the app's own publish calls do.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Routes } from '../api';
import { apiError, HttpError, type Ctx, type Reply, type Router } from '../http/router';
import type { Logger } from '../log';
import { Connections, refuse, tokenOf } from './connections';
import { RealtimeHub } from './hub';
import { TokenError, TokenIssuer } from './token';
import { DEV_ENV_ID, MAX_MESSAGE_BYTES, MAX_STREAM_CHUNKS, STREAM_CHUNK_BYTES, type RealtimeMessage, type Topic } from './types';

/** Largest token request (a list of topics). */
const MAX_TOKEN_BODY = 64 * 1024;
const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

export interface RealtimeOptions {
  log: Logger;
  /** Why an upgrade must be refused (Host/Origin, the router's rules for SDK routes), or null. */
  refusal: (req: IncomingMessage) => string | null;
  tokens?: TokenIssuer;
}

/** The first of each query parameter the SDK sets on a publish. */
function target(c: Ctx): { channel: string; topic: string; runId?: string } {
  const channel = c.query.get('channel') ?? '';
  const topic = c.query.get('topic') ?? '';
  if (!channel) throw new HttpError(400, 'realtime publish needs a channel: POST /v1/realtime/publish?channel=<channel>&topic=<topic>');
  if (!topic) throw new HttpError(400, `realtime publish on channel ${JSON.stringify(channel)} needs a topic (?topic=<topic>)`);
  const runId = c.query.get('run_id') ?? undefined;
  // As Go: a run id that is not a ULID is left out of the message.
  return { channel, topic, ...(runId && ULID_RE.test(runId) ? { runId: runId.toUpperCase() } : {}) };
}

/** Any JSON text as compact JSON; anything else as a JSON string (Go: `json.Valid` or quote). */
function asJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text) as unknown);
  } catch {
    return JSON.stringify(text);
  }
}

export class RealtimeServer {
  readonly hub = new RealtimeHub();
  readonly tokens: TokenIssuer;
  private readonly conns: Connections;

  constructor(private readonly o: RealtimeOptions) {
    this.tokens = o.tokens ?? new TokenIssuer();
    this.conns = new Connections(this.hub, this.tokens, o.log);
  }

  get connectionCount(): number {
    return this.conns.count;
  }

  routes(r: Router): void {
    r.on('POST', 'realtimeToken', (c) => this.token(c));
    r.on('POST', 'realtimePublish', (c) => this.publish(c));
    r.on('POST', 'realtimePublishTee', (c) => this.tee(c));
    r.on('GET', 'realtimeSse', (c) => this.sse(c));
    r.on('GET', 'realtimeConnect', () => apiError(426, `${Routes.realtimeConnect} is a WebSocket endpoint: connect with ws://.../v1/realtime/connect?token=<jwt>`, 'The SDK\'s subscribe() opens it for you'));
  }

  /**
   * The WebSocket upgrade for `/v1/realtime/connect`; answers false for any other path (someone
   * else's upgrade). Refused upgrades get their HTTP status and reason.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname.replace(/\/$/, '') !== Routes.realtimeConnect) return false;
    const why = this.o.refusal(req);
    if (why) refuse(socket, 403, why);
    else {
      try {
        this.conns.upgrade(req, socket, head, url.searchParams);
      } catch (e) {
        // Never let one bad handshake take the process down.
        this.o.log.warn(`realtime connection failed: ${(e as Error)?.message ?? String(e)}`);
        refuse(socket, 400, `realtime connection failed: ${(e as Error)?.message ?? String(e)}`);
      }
    }
    return true;
  }

  private async token(c: Ctx): Promise<Reply> {
    const body = await c.json(MAX_TOKEN_BODY).catch((e: HttpError) => {
      throw new HttpError(e.status === 413 ? 413 : 400, `${e.message}; send a JSON list of topics: [{"channel": "...", "name": "<topic>", "kind": "run"}]`);
    });
    if (!Array.isArray(body)) throw new HttpError(400, 'send a JSON list of topics: [{"channel": "...", "name": "<topic>", "kind": "run"}]');
    const topics: Topic[] = body.map((t: unknown, i: number) => {
      const o = t as Partial<Topic> | null;
      if (!o || typeof o !== 'object') throw new HttpError(400, `topic ${i} is not an object`);
      if (typeof o.channel !== 'string' || o.channel === '') throw new HttpError(400, `topic ${i} has no channel: every topic names its channel ("channel": "...")`);
      if (typeof o.name !== 'string' || o.name === '') throw new HttpError(400, `topic ${i} on channel ${JSON.stringify(o.channel)} has no name ("name": "<topic>")`);
      const kind = o.kind ?? 'run';
      if (kind !== 'run') throw new HttpError(400, `topic ${i} has kind ${JSON.stringify(kind)}: only "run" topics exist (event topics are not implemented by Inngest either)`);
      return { kind, channel: o.channel, name: o.name };
    });
    return { status: 201, body: { jwt: this.tokens.issue(topics) } };
  }

  private async publish(c: Ctx): Promise<Reply> {
    const t = target(c);
    if ((c.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'text/stream') return this.publishStream(c, t);
    const text = await c.text(MAX_MESSAGE_BYTES).catch((e: HttpError) => e);
    if (text instanceof HttpError) {
      const msg = text.status === 413 ? `the realtime message on ${t.channel}/${t.topic} is larger than ${MAX_MESSAGE_BYTES / 1024} KB, Inngest's limit for one message; publish a smaller one (or a stream)` : text.message;
      this.o.log.warn(msg);
      return apiError(text.status, msg);
    }
    const n = this.hub.publish(t.channel, t.topic, () => this.message({ kind: 'data', data: undefined }, t, asJson(text)));
    this.o.log.debug(`realtime publish on ${t.channel}/${t.topic} (${Buffer.byteLength(text)} bytes) to ${n} subscriber(s)`);
    return { status: 200, raw: '' };
  }

  /** A `text/stream` publish: `datastream-start`, the body as 1 KB `chunk`s as it arrives, `datastream-end`. */
  private async publishStream(c: Ctx, t: { channel: string; topic: string; runId?: string }): Promise<Reply> {
    const streamId = randomBytes(8).toString('hex');
    const idJson = JSON.stringify(streamId);
    this.hub.publish(t.channel, t.topic, () => this.message({ kind: 'datastream-start', data: undefined }, t, idJson));
    const decoder = new StringDecoder('utf8');
    let chunks = 0;
    let cut = false;
    const emit = (s: string): void => {
      for (let i = 0; i < s.length && !cut; i += STREAM_CHUNK_BYTES) {
        if (++chunks > MAX_STREAM_CHUNKS) {
          cut = true;
          break;
        }
        const piece = s.slice(i, i + STREAM_CHUNK_BYTES);
        // Go's chunks carry no channel or topic; the SDK drops chunks without them, so they are set here.
        this.hub.publish(t.channel, t.topic, () => JSON.stringify({ kind: 'chunk', stream_id: streamId, data: piece, channel: t.channel, topic: t.topic, ...(t.runId ? { run_id: t.runId } : {}) }));
      }
    };
    try {
      for await (const buf of c.req as AsyncIterable<Buffer>) if (!cut) emit(decoder.write(buf));
      if (!cut) emit(decoder.end());
    } catch (e) {
      this.o.log.debug(`realtime stream on ${t.channel}/${t.topic} broke off: ${(e as Error).message}`);
    } finally {
      this.hub.publish(t.channel, t.topic, () => this.message({ kind: 'datastream-end', data: undefined }, t, idJson));
    }
    if (cut) return apiError(413, `the realtime stream on ${t.channel}/${t.topic} passed ${MAX_STREAM_CHUNKS} chunks of ${STREAM_CHUNK_BYTES} bytes, Inngest's limit; the rest was dropped`);
    return { status: 200, raw: '' };
  }

  /** `publish/tee`: the body, as it arrives, to every subscriber of any topic on the channel. */
  private async tee(c: Ctx): Promise<Reply> {
    const channel = c.query.get('channel') ?? '';
    if (!channel) throw new HttpError(400, 'realtime publish/tee needs a channel (?channel=<channel>)');
    const decoder = new StringDecoder('utf8');
    for await (const buf of c.req as AsyncIterable<Buffer>) {
      const s = decoder.write(buf);
      if (s) this.hub.writeRaw(channel, s);
    }
    const rest = decoder.end();
    if (rest) this.hub.writeRaw(channel, rest);
    return { status: 200, raw: '' };
  }

  private sse(c: Ctx): Reply {
    let topics: Topic[];
    try {
      topics = this.tokens.verify(tokenOf(c.req, c.query));
    } catch (e) {
      if (e instanceof TokenError) return apiError(401, e.message, 'Get a token with getSubscriptionToken (or POST /v1/realtime/token) and pass it as ?token=');
      throw e;
    }
    if (!c.res) throw new HttpError(500, 'the server cannot stream this response');
    this.conns.serveSse(c.req, c.res, topics);
    return { status: 200 };
  }

  /** The message as JSON text, `dataJson` (already JSON) spliced in as `data`. */
  private message(m: RealtimeMessage, t: { channel: string; topic: string; runId?: string }, dataJson: string): string {
    const head = JSON.stringify({ kind: m.kind, created_at: new Date().toISOString(), channel: t.channel, env_id: DEV_ENV_ID, topic: t.topic, ...(t.runId ? { run_id: t.runId } : {}) });
    return `${head.slice(0, -1)},"data":${dataJson}}`;
  }

  async dispose(): Promise<void> {
    await this.conns.dispose();
    this.hub.clear();
  }
}
