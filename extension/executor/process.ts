// The embedded executor (`steplens dev`) as a child process of the extension host. It runs
// dist/cli.js with the extension host's own Node (`process.execPath` + ELECTRON_RUN_AS_NODE=1),
// on the preferred port when free, else the next free one. No `vscode` import: tested in plain Node.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import type { Logger } from '../logger';

/** The executor's lifecycle, one union (CONVENTIONS.md §7). */
export type ExecutorState =
  | { kind: 'stopped' }
  | { kind: 'starting'; port: number }
  | { kind: 'ready'; url: string; port: number; preferredPort: number; pid: number; startMs: number }
  | { kind: 'failed'; error: ExecutorStartError }
  | { kind: 'stopping' };

export interface ExecutorOptions {
  /** Absolute path of dist/cli.js. */
  cliPath: string;
  preferredPort: number;
  dataDir: string;
  appUrls: string[];
  discovery: boolean;
  logLevel: string;
  /** Node to run it with; defaults to the extension host's own. */
  execPath?: string;
  /** Give up waiting for the ready line after this long. */
  readyTimeoutMs?: number;
}

export class ExecutorStartError extends Error {
  override name = 'ExecutorStartError';
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const READY = /Steplens dev server ready at (http:\/\/[^\s]+)/;

/** Resolves to the first port >= `from` that 127.0.0.1 lets us bind. */
export async function findFreePort(from: number, tries = 50): Promise<number> {
  for (let p = from; p < from + tries && p <= 65535; p++) {
    if (await portFree(p)) return p;
  }
  throw new ExecutorStartError(`no free port in ${from}-${from + tries - 1}`, 'Set steplens.port to a free port.');
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export class ExecutorProcess {
  private child: ChildProcess | undefined;
  private _state: ExecutorState = { kind: 'stopped' };
  private readonly listeners = new Set<(s: ExecutorState) => void>();

  constructor(
    private readonly opts: ExecutorOptions,
    private readonly log: Logger,
  ) {}

  get state(): ExecutorState {
    return this._state;
  }

  onState(fn: (s: ExecutorState) => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  private set(s: ExecutorState): void {
    this._state = s;
    for (const fn of [...this.listeners]) fn(s);
  }

  /** Starts the process and resolves once it prints its ready line. Rejects with ExecutorStartError. */
  async start(): Promise<Extract<ExecutorState, { kind: 'ready' }>> {
    if (this._state.kind === 'ready') return this._state;
    const t0 = performance.now();
    let port = await findFreePort(this.opts.preferredPort);
    for (let attempt = 0; ; attempt++) {
      this.set({ kind: 'starting', port });
      try {
        const ready = await this.spawnOnce(port, t0);
        this.set(ready);
        return ready;
      } catch (err) {
        // Someone took the port between our probe and the child's bind: try the next one.
        if (err instanceof PortTakenError && attempt < 3) {
          port = await findFreePort(port + 1);
          continue;
        }
        const error =
          err instanceof ExecutorStartError
            ? err
            : new ExecutorStartError('the executor did not start', 'Run "Steplens: Show Logs" for details.', { cause: err });
        this.set({ kind: 'failed', error });
        throw error;
      }
    }
  }

  private spawnOnce(port: number, t0: number): Promise<Extract<ExecutorState, { kind: 'ready' }>> {
    const o = this.opts;
    mkdirSync(o.dataDir, { recursive: true });
    const args = [o.cliPath, 'dev', '-p', String(port), '--data-dir', o.dataDir];
    for (const u of o.appUrls) args.push('-u', u);
    if (!o.discovery) args.push('--no-discovery');
    args.push('--log-level', o.logLevel === 'trace' ? 'debug' : o.logLevel);
    this.log.info('starting executor', { port, args: args.slice(1) });
    const child = spawn(o.execPath ?? process.execPath, args, {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', STEPLENS_LOG_LEVEL: o.logLevel },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    const stderrTail: string[] = [];
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        fail(
          new ExecutorStartError(
            `the executor printed no ready line within ${Math.round((o.readyTimeoutMs ?? 30000) / 1000)} s`,
            'Run "Steplens: Show Logs" to see what it printed, then "Steplens: Restart Executor".',
          ),
        );
        child.kill('SIGKILL');
      }, o.readyTimeoutMs ?? 30000);
      const fail = (e: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(e);
      };
      lines(child.stdout!, (line) => {
        this.log.info(line);
        const m = READY.exec(line);
        if (m && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve({
            kind: 'ready',
            url: m[1]!.replace(/\/$/, ''),
            port,
            preferredPort: o.preferredPort,
            pid: child.pid ?? -1,
            startMs: performance.now() - t0,
          });
        }
      });
      lines(child.stderr!, (line) => {
        // The CLI writes its log to stderr as `<time> LEVEL [component] message`.
        const lvl = /^\S+\s+(DEBUG|INFO|WARN|ERROR)\s/.exec(line)?.[1];
        const text = lvl ? line.replace(/^\S+\s+\S+\s+/, '') : line;
        if (lvl === 'DEBUG') this.log.debug(text);
        else if (lvl === 'INFO') this.log.info(text);
        else if (lvl === 'WARN') this.log.warn(text);
        else this.log.error(text);
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
      });
      child.once('error', (err) =>
        fail(new ExecutorStartError(`could not run ${o.execPath ?? process.execPath}`, 'Check that VS Code can start Node processes.', { cause: err })),
      );
      child.once('exit', (code, signal) => {
        this.child = undefined;
        const tail = stderrTail.join('\n');
        if (!settled) {
          if (/EADDRINUSE/.test(tail)) return fail(new PortTakenError(port));
          return fail(
            new ExecutorStartError(
              `the executor exited (${signal ?? `code ${code}`}) before it was ready${tail ? `: ${tail.split('\n').slice(-3).join(' | ')}` : ''}`,
              'Run "Steplens: Show Logs" for its output; check steplens.dataFolder is writable.',
            ),
          );
        }
        if (this._state.kind !== 'stopping') {
          this.log.error('executor exited unexpectedly', { code, signal });
          this.set({
            kind: 'failed',
            error: new ExecutorStartError(`the executor exited (${signal ?? `code ${code}`})`, 'Run "Steplens: Restart Executor"; "Steplens: Show Logs" shows why it stopped.'),
          });
        }
      });
    });
  }

  /** Stops the process: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = undefined;
      this.set({ kind: 'stopped' });
      return;
    }
    this.set({ kind: 'stopping' });
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
    this.child = undefined;
    this.set({ kind: 'stopped' });
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.listeners.clear();
  }
}

class PortTakenError extends Error {
  override name = 'PortTakenError';
  constructor(readonly port: number) {
    super(`port ${port} is taken`);
  }
}

function lines(stream: NodeJS.ReadableStream, onLine: (l: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      if (line) onLine(line);
    }
  });
}

/** The line to give the app, when the executor is not on the default port. */
export function devEnvLine(url: string): string {
  return `INNGEST_DEV=${url}`;
}
