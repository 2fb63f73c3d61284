// The dev executor: store + engine + event API + sync + HTTP server, with one lifecycle.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { EventBus } from './bus';
import { systemClock, type Clock } from './clock';
import { Engine } from './engine/engine';
import { Ingest } from './events';
import { FunctionRegistry } from './functions';
import { Panel } from './http/panel';
import { Router } from './http/router';
import { registerRoutes } from './http/routes';
import { silentLogger, type Logger } from './log';
import { Store } from './store/store';
import { AppSync } from './sync';
import { StreamServer } from './http/stream';
import { RealtimeServer } from './realtime/server';
import { Replay } from './replay';
import { FlowWiring } from './wiring/flow';

export const VERSION = '0.1.0';

/** The executor's lifecycle (CONVENTIONS.md §7). */
export type ExecutorState = 'created' | 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';

export interface ExecutorOptions {
  port: number;
  host: string;
  sdkUrls: string[];
  discovery: boolean;
  dataDir: string;
  /** `--retry-interval` in ms: a fixed retry delay instead of the backoff table. */
  retryIntervalMs?: number;
  pollIntervalMs: number;
  signingKey?: string;
  clock?: Clock;
  log?: Logger;
  /** Where dist/media lives (the panel). */
  mediaDir?: string;
}

export class PortInUseError extends Error {
  constructor(readonly port: number, host: string, options?: { cause?: unknown }) {
    super(`port ${port} on ${host} is already in use (EADDRINUSE; another steplens or \`inngest dev\`?): pass another --port, or -p 0 for any free port`, options);
    this.name = 'PortInUseError';
  }
}

export class Executor {
  state: ExecutorState = 'created';
  readonly bus = new EventBus();
  readonly functions = new FunctionRegistry();
  readonly clock: Clock;
  readonly log: Logger;
  store!: Store;
  engine!: Engine;
  ingest!: Ingest;
  sync!: AppSync;
  /** Issue 4: flow control + cron + cancelOn, replay, the live stream. */
  flow: FlowWiring | undefined;
  replay!: Replay;
  stream: StreamServer | undefined;
  /** Inngest realtime: tokens, publish, WebSocket/SSE subscriptions (runtime/realtime/). */
  realtime: RealtimeServer | undefined;
  private server: Server | undefined;
  private boundPort = 0;

  constructor(readonly opts: ExecutorOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
  }

  get url(): string {
    const h = this.opts.host === '0.0.0.0' || this.opts.host === '::' ? '127.0.0.1' : this.opts.host;
    return `http://${h.includes(':') ? `[${h}]` : h}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<{ url: string; port: number }> {
    if (this.state !== 'created') throw new Error(`executor already ${this.state}`);
    this.state = 'starting';
    try {
      this.store = new Store(this.opts.dataDir);
      const storeLog = this.log.child('store');
      this.store.db.onDeferredCommitError = (e) =>
        storeLog.error(`a group commit failed and was rolled back; the runs it touched may repeat their last step after a restart: ${(e as Error)?.message ?? String(e)}`);
      let ingest: Ingest | undefined;
      this.engine = new Engine({
        store: this.store,
        clock: this.clock,
        log: this.log.child('engine'),
        bus: this.bus,
        functions: this.functions,
        retry: { fixedMs: this.opts.retryIntervalMs },
        signingKey: this.opts.signingKey,
        publish: (name, data, id) => ingest!.publish(name, data, id),
        onUnknownFunction: (fn) => void this.sync.syncNow(fn.appUrl).catch(() => undefined),
      });
      ingest = this.ingest = new Ingest({ store: this.store, engine: this.engine, functions: this.functions, clock: this.clock, bus: this.bus, log: this.log.child('events') });
      this.sync = new AppSync({
        store: this.store,
        functions: this.functions,
        clock: this.clock,
        log: this.log.child('sync'),
        bus: this.bus,
        signingKey: this.opts.signingKey,
        pollMs: this.opts.pollIntervalMs,
        discovery: this.opts.discovery,
        self: () => ({ url: this.url, port: this.boundPort }),
      });
      const parts = { store: this.store, engine: this.engine, ingest: this.ingest, functions: this.functions, bus: this.bus, clock: this.clock };
      this.flow = new FlowWiring({ ...parts, log: this.log.child('flow'), dataDir: this.opts.dataDir });
      this.replay = new Replay({ ...parts, log: this.log.child('replay'), registerRerun: (f, r, e) => this.flow?.registerRerun(f, r, e) });
      const router = new Router(this.log.child('http'), this.opts.host);
      this.replay.routes(router);
      this.realtime = new RealtimeServer({ log: this.log.child('realtime'), refusal: (req) => router.upgradeRefusal(req) });
      registerRoutes(router, {
        store: this.store,
        engine: this.engine,
        ingest: this.ingest,
        sync: this.sync,
        functions: this.functions,
        panel: new Panel(this.opts.mediaDir ?? join(__dirname, 'media')),
        version: VERSION,
        state: () => this.state,
        log: this.log.child('http'),
        extras: { nextCronRuns: (id) => this.flow?.nextCronRuns(id), configErrors: (id) => this.flow?.errorsOf(id) ?? [], rerunsOf: (id) => this.replay.rerunsOf(id), eventBuffers: (id) => this.flow?.buffers.forEvent(id) ?? [] },
      });
      // After the core routes: the ones the SDK calls on every step are matched first.
      this.realtime.routes(router);
      this.server = createServer((req, res) => void router.handle(req, res));
      this.stream = new StreamServer({ bus: this.bus, log: this.log.child('stream'), version: VERSION, refusal: (req) => router.upgradeRefusal(req), otherUpgrade: (req, socket, head) => this.realtime!.upgrade(req, socket, head) });
      this.stream.attach(this.server);
      this.server.keepAliveTimeout = 65_000;
      this.server.headersTimeout = 70_000;
      this.server.requestTimeout = 0;
      await new Promise<void>((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException): void => {
          reject(e.code === 'EADDRINUSE' ? new PortInUseError(this.opts.port, this.opts.host, { cause: e }) : e);
        };
        this.server!.once('error', onError);
        this.server!.listen(this.opts.port, this.opts.host, () => {
          this.server!.off('error', onError);
          resolve();
        });
      });
      const addr = this.server.address();
      this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.port;
      this.server.on('error', (e) => this.log.error(`server error: ${e.message}`));
      this.engine.start();
      this.sync.start(this.opts.sdkUrls);
      this.state = 'ready';
      return { url: this.url, port: this.boundPort };
    } catch (e) {
      this.state = 'failed';
      await this.closeParts();
      throw e;
    }
  }

  private async closeParts(): Promise<void> {
    await this.stream?.dispose();
    await this.realtime?.dispose();
    if (this.server) {
      const s = this.server;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections?.();
      });
    }
    await this.sync?.dispose();
    await this.engine?.dispose();
    await this.flow?.dispose();
    await this.bus.dispose();
    await this.store?.dispose();
  }

  async dispose(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    await this.closeParts();
    this.state = 'stopped';
  }
}
