// Subscribers over the wire: the WebSocket at `/v1/realtime/connect` (what the SDK's `subscribe`
// opens) and Server-Sent Events at `/v1/realtime/sse`. Both authenticate with a token from
// `POST /v1/realtime/token` and then receive every message published on the token's topics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log';
import type { RealtimeHub, Subscriber } from './hub';
import { TokenError, type TokenIssuer } from './token';
import type { ClientFrame, Topic } from './types';

/** Keepalive interval (Inngest: 15 s; a WebSocket ping, an SSE comment). */
const KEEPALIVE_MS = 15_000;
/** An SSE response is closed after this long (Inngest: 15 minutes); the client reconnects. */
const SSE_MAX_MS = 15 * 60_000;
/** A subscriber this far behind (bytes queued) is dropped. */
const MAX_BUFFERED = 8 * 1024 * 1024;
/** Largest frame a subscriber may send (`sub` / `unsub`). */
const MAX_CLIENT_FRAME = 64 * 1024;

/** The token of a request: `?token=` first, else `Authorization: Bearer <jwt>`. */
export function tokenOf(req: IncomingMessage, query: URLSearchParams): string | null {
  const q = query.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  return auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '') : null;
}

/** Topics from an `unsub` frame: a list of `{channel, name}`. */
function topicList(v: unknown): { channel: string; name: string }[] | null {
  if (!Array.isArray(v)) return null;
  const out: { channel: string; name: string }[] = [];
  for (const t of v) {
    const o = t as Partial<Topic> | null;
    if (!o || typeof o.channel !== 'string' || typeof o.name !== 'string') return null;
    out.push({ channel: o.channel, name: o.name });
  }
  return out;
}

let nextId = 0;

export class Connections {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME });
  private readonly sockets = new Set<WebSocket>();
  private readonly sse = new Set<ServerResponse>();
  private keepalive: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: RealtimeHub,
    private readonly tokens: TokenIssuer,
    private readonly log: Logger,
  ) {}

  get count(): number {
    return this.sockets.size + this.sse.size;
  }

  /** Accepts the WebSocket upgrade when the token is good; else answers 401 with the reason. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams): void {
    let topics: Topic[];
    try {
      topics = this.tokens.verify(tokenOf(req, query));
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      this.log.debug(`realtime connection refused: ${e.message}`);
      return refuse(socket, 401, e.message);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serveSocket(ws, topics));
  }

  private serveSocket(ws: WebSocket, topics: Topic[]): void {
    this.sockets.add(ws);
    this.startKeepalive();
    const sub: Subscriber = {
      id: `ws-${++nextId}`,
      send: (text) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_BUFFERED) {
          ws.close(1013, 'subscriber too far behind: reconnect');
          return;
        }
        ws.send(text);
      },
    };
    this.hub.subscribe(sub, topics);
    this.log.debug(`realtime subscriber ${sub.id} on ${topics.map((t) => `${t.channel}/${t.name}`).join(', ')}`);
    ws.on('message', (raw, isBinary) => {
      if (isBinary) return;
      let frame: ClientFrame;
      try {
        frame = JSON.parse(String(raw)) as ClientFrame;
      } catch {
        return;
      }
      if (frame?.kind === 'sub') {
        try {
          this.hub.subscribe(sub, this.tokens.verify(typeof frame.data === 'string' ? frame.data : null));
        } catch (e) {
          this.log.debug(`realtime subscriber ${sub.id}: sub refused: ${(e as Error).message}`);
        }
      } else if (frame?.kind === 'unsub') {
        const list = topicList(frame.data);
        if (list) this.hub.unsubscribe(sub, list);
      }
    });
    const drop = (): void => {
      this.hub.unsubscribe(sub);
      this.sockets.delete(ws);
    };
    ws.on('close', drop);
    ws.on('error', (e) => {
      this.log.debug(`realtime subscriber ${sub.id} error: ${e.message}`);
      drop();
    });
  }

  /** Serves `GET /v1/realtime/sse` on `res` for topics a verified token granted, until the client goes. */
  serveSse(req: IncomingMessage, res: ServerResponse, topics: Topic[]): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-inngest-server-kind': 'dev',
      // As Inngest: the token is the credential, so any page holding one may read the stream.
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'Content-Type',
    });
    res.flushHeaders();
    this.sse.add(res);
    this.startKeepalive();
    const sub: Subscriber = {
      id: `sse-${++nextId}`,
      send: (text) => {
        if (res.writableEnded || res.destroyed) return;
        if (res.writableLength > MAX_BUFFERED) {
          res.end();
          return;
        }
        res.write(`data: ${text}\n\n`);
      },
    };
    this.hub.subscribe(sub, topics);
    const timeout = setTimeout(() => res.end(), SSE_MAX_MS);
    timeout.unref();
    const drop = (): void => {
      clearTimeout(timeout);
      this.hub.unsubscribe(sub);
      this.sse.delete(res);
    };
    res.on('close', drop);
    req.on('error', drop);
  }

  private startKeepalive(): void {
    if (this.keepalive) return;
    this.keepalive = setInterval(() => {
      for (const ws of this.sockets) if (ws.readyState === ws.OPEN) ws.ping();
      for (const res of this.sse) if (!res.writableEnded) res.write(':\n\n');
      if (this.count === 0) {
        clearInterval(this.keepalive);
        this.keepalive = undefined;
      }
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  async dispose(): Promise<void> {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = undefined;
    for (const ws of this.sockets) ws.close(1001, 'closing');
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    for (const res of this.sse) res.end();
    this.sse.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

export function refuse(socket: Duplex, status: 400 | 401 | 403 | 404, message: string): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
