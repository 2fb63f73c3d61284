// The live stream at Routes.stream: a WebSocket on the executor's HTTP server that relays every
// EventBus message (ExecutorToClient, numbered by the bus). A client sends {type:'subscribe', since}
// and first gets what it missed from the bus's ring, or {type:'resync'} when that is gone.
// Same guards as the HTTP routes: local Host only, no foreign Origin.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Routes, type ClientToExecutor, type ExecutorToClient } from '../api';
import type { EventBus } from '../bus';
import type { Logger } from '../log';

/** A client this far behind (bytes queued) is dropped; it reconnects and asks `since`. */
const MAX_BUFFERED = 8 * 1024 * 1024;
const MAX_CLIENT_FRAME = 64 * 1024;

export interface StreamOptions {
  bus: EventBus;
  log: Logger;
  version: string;
  /** Why this upgrade is refused (403), or null to accept. Shares the router's Host/Origin rules. */
  refusal: (req: IncomingMessage) => string | null;
  /** Other WebSocket endpoints (realtime): true when it took the upgrade of that path. */
  otherUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
}

export class StreamServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME });
  private readonly clients = new Set<WebSocket>();
  private server: Server | undefined;

  constructor(private readonly o: StreamOptions) {}

  get clientCount(): number {
    return this.clients.size;
  }

  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.onUpgrade);
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(req.url ?? '/', 'http://local').pathname.replace(/\/$/, '');
    if (path !== Routes.stream && this.o.otherUpgrade?.(req, socket, head)) return;
    if (path !== Routes.stream) return refuse(socket, 404, `no WebSocket endpoint at ${path}; the stream is at ${Routes.stream}`);
    const why = this.o.refusal(req);
    if (why) return refuse(socket, 403, why);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.serve(ws));
  };

  private serve(ws: WebSocket): void {
    const { bus } = this.o;
    this.clients.add(ws);
    /** Highest seq sent; live messages are sent only once the client subscribed. */
    let sent = -1;
    const send = (m: ExecutorToClient): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.close(1013, 'too far behind: reconnect and subscribe with since');
        return;
      }
      ws.send(JSON.stringify(m));
    };
    const unsubscribe = bus.subscribe((m) => {
      if (sent < 0 || m.seq <= sent) return;
      sent = m.seq;
      send(m);
    });
    send({ type: 'hello', seq: bus.lastSeq, version: this.o.version });
    ws.on('message', (data) => {
      let msg: ClientToExecutor;
      try {
        msg = JSON.parse(String(data)) as ClientToExecutor;
      } catch {
        return;
      }
      if (!msg || msg.type !== 'subscribe') return;
      const since = typeof msg.since === 'number' && Number.isFinite(msg.since) ? msg.since : undefined;
      if (since === undefined) {
        sent = bus.lastSeq;
        return;
      }
      // A since beyond the last seq: the executor restarted (seqs start again), so the client's state is stale.
      const missed = since > bus.lastSeq ? null : bus.since(since);
      if (missed === null) {
        send({ type: 'resync', seq: bus.lastSeq });
        sent = bus.lastSeq;
        return;
      }
      // Synchronous: nothing can be emitted between the replay and going live.
      for (const m of missed) send(m);
      sent = Math.max(since, bus.lastSeq);
    });
    const drop = (): void => {
      unsubscribe();
      this.clients.delete(ws);
    };
    ws.on('close', drop);
    ws.on('error', (e) => {
      this.o.log.debug(`stream client error: ${e.message}`);
      drop();
    });
  }

  async dispose(): Promise<void> {
    this.server?.off('upgrade', this.onUpgrade);
    for (const ws of this.clients) ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function refuse(socket: Duplex, status: 403 | 404, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
