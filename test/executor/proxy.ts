// A misbehaving front for an example app: forwards everything to the app, except that the next
// execution requests (POSTs) can be answered with HTML, garbage, a wrong status, or a reset
// connection, and the whole front can be taken down and brought back on the same port.
// The app itself never sees the requests the proxy spoils, so its step counters stay exact.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Misbehaviour = 'html' | 'garbage' | 'status' | 'reset';

export class FlakyProxy {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private queue: Misbehaviour[] = [];
  port = 0;
  /** How many execution requests each misbehaviour answered. */
  readonly spoiled: Misbehaviour[] = [];

  private constructor(private readonly target: string) {}

  /** `target` is the app's origin, e.g. http://127.0.0.1:3000. */
  static async start(target: string): Promise<FlakyProxy> {
    const p = new FlakyProxy(target);
    await p.listen(0);
    return p;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/inngest`;
  }

  /** The next execution requests get these answers, one each, in order. */
  spoilNext(...modes: Misbehaviour[]): void {
    this.queue.push(...modes);
  }

  pending(): number {
    return this.queue.length;
  }

  private async listen(port: number): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method === 'POST' && this.queue.length > 0) {
      const mode = this.queue.shift() as Misbehaviour;
      this.spoiled.push(mode);
      req.resume();
      req.on('end', () => this.spoil(mode, req, res));
      return;
    }
    const upstream = http.request(this.target + (req.url ?? '/'), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: app unreachable: ${err.message}`);
    });
    req.pipe(upstream);
  }

  private spoil(mode: Misbehaviour, req: http.IncomingMessage, res: http.ServerResponse): void {
    const handlers: Record<Misbehaviour, () => void> = {
      html: () => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
      },
      garbage: () => {
        // Claims to be the SDK, then sends a body that is not JSON.
        res.writeHead(206, { 'content-type': 'application/json', 'x-inngest-sdk': 'inngest-js:v4.24.0', 'x-inngest-req-version': '2' });
        res.end('[{"op":"StepRun", this is not json');
      },
      status: () => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('Bad Gateway');
      },
      reset: () => {
        req.socket.destroy();
      },
    };
    handlers[mode]();
  }

  /** Takes the front down: the port refuses connections until `reopen()`. */
  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    for (const sock of this.sockets) sock.destroy();
    await closed;
  }

  async reopen(): Promise<void> {
    await this.listen(this.port);
  }

  async dispose(): Promise<void> {
    await this.close();
  }
}
