// One run of the embedded executor: the process, its API client and stream, and the model feed.
// Everything it creates goes into its own disposal scope (CONVENTIONS.md §5).
import { ExecutorClient, ExecutorStream } from './client';
import { ExecutorProcess, type ExecutorOptions, type ExecutorState } from './process';
import type { Logger } from '../logger';
import { describeError } from '../logger';
import type { Model } from '../model';
import { Scope } from '../scopes';
import type { ExecutorToClient } from '../../runtime/api';

export interface SessionHooks {
  onMessage(m: ExecutorToClient): void;
  onStreamState(state: 'connecting' | 'open' | 'closed', detail?: string): void;
  onState(s: ExecutorState): void;
}

export class ExecutorSession {
  readonly scope: Scope;
  readonly process: ExecutorProcess;
  client: ExecutorClient | undefined;
  stream: ExecutorStream | undefined;

  constructor(
    opts: ExecutorOptions,
    private readonly model: Model,
    private readonly log: Logger,
    private readonly hooks: SessionHooks,
  ) {
    this.scope = new Scope('executor', log);
    this.process = this.scope.push(new ExecutorProcess(opts, log.child('executor')));
    this.scope.push(this.process.onState((s) => hooks.onState(s)));
  }

  /** Starts the process, then connects the stream and loads a first snapshot. */
  async start(): Promise<Extract<ExecutorState, { kind: 'ready' }>> {
    const ready = await this.process.start();
    const client = new ExecutorClient(ready.url);
    this.client = client;
    const stream = this.scope.push(new ExecutorStream(client.streamUrl(), this.log.child('stream')));
    this.stream = stream;
    stream.onState((s, d) => this.hooks.onStreamState(s, d));
    stream.onMessage((m) => {
      this.model.apply(m);
      this.hooks.onMessage(m);
      if (m.type === 'app.synced') void this.loadFunctions();
      if (m.type === 'run.finished' || m.type === 'run.updated') void this.loadDetail(m.run.id, m.run.functionId);
      if (m.type === 'resync') void this.snapshot();
    });
    stream.connect();
    await this.snapshot();
    this.pollWhileNoStream();
    return ready;
  }

  private poller: NodeJS.Timeout | undefined;
  /**
   * Without the live stream (not connected, or an executor without it), poll the REST API once a
   * second so the views still follow runs. Stops when the session ends.
   */
  private pollWhileNoStream(): void {
    const tick = async (): Promise<void> => {
      if (this.scope.isDisposed) return;
      if (this.stream?.state !== 'open') {
        const c = this.client;
        try {
          if (c) {
            const [runs, events, apps, fns] = await Promise.all([c.runs({ limit: 100 }), c.events({ limit: 100 }), c.apps(), c.functions()]);
            this.model.setApps(apps, fns);
            this.model.setEvents(events.data);
            for (const r of this.model.setRuns(runs.data)) void this.loadDetail(r.id, r.functionId);
          }
        } catch (err) {
          this.log.debug('poll failed', { err: describeError(err) });
        }
      }
      if (!this.scope.isDisposed) this.poller = setTimeout(() => void tick(), 1000);
    };
    this.poller = setTimeout(() => void tick(), 1000);
    this.scope.defer(() => clearTimeout(this.poller));
  }

  /** Reloads apps, functions, recent runs and events from the REST API. */
  async snapshot(): Promise<void> {
    const c = this.client;
    if (!c) return;
    const results = await Promise.allSettled([c.apps(), c.functions(), c.runs({ limit: 100 }), c.events({ limit: 100 })]);
    const [apps, fns, runs, events] = results;
    if (apps.status === 'fulfilled') this.model.setApps(apps.value, fns.status === 'fulfilled' ? fns.value : undefined);
    if (runs.status === 'fulfilled') this.model.setRuns(runs.value.data);
    if (events.status === 'fulfilled') this.model.setEvents(events.value.data);
    for (const r of results) if (r.status === 'rejected') this.log.warn('snapshot part failed', { err: describeError(r.reason) });
    this.loadLastDetails();
  }

  /**
   * Fetches the steps of each workspace function's last run, so the source shows their status
   * also after a reload (not only for runs that finish while the session watches). Called after a
   * snapshot and when the language server's function list arrives or changes.
   */
  loadLastDetails(): void {
    for (const r of this.model.lastRunsWithoutDetail()) void this.loadDetail(r.id, r.functionId);
  }

  async loadFunctions(): Promise<void> {
    const c = this.client;
    if (!c) return;
    try {
      const [apps, fns] = await Promise.all([c.apps(), c.functions()]);
      this.model.setApps(apps, fns);
    } catch (err) {
      this.log.warn('could not load functions', { err: describeError(err) });
    }
  }

  private detailTimers = new Map<string, NodeJS.Timeout>();
  /** Fetches a run's steps for the inline decorations (only for functions the workspace has). */
  loadDetail(runId: string, functionId: string): Promise<void> {
    if (!this.model.sourceFunction(functionId) || !this.client) return Promise.resolve();
    // Coalesce bursts of updates for one run into one fetch.
    const prev = this.detailTimers.get(runId);
    if (prev) clearTimeout(prev);
    return new Promise((resolve) => {
      this.detailTimers.set(
        runId,
        setTimeout(() => {
          this.detailTimers.delete(runId);
          this.client
            ?.run(runId)
            .then((d) => this.model.setDetail(d))
            .catch((err: unknown) => this.log.debug('run detail failed', { runId, err: describeError(err) }))
            .finally(resolve);
        }, 50),
      );
    });
  }

  async dispose(): Promise<void> {
    for (const t of this.detailTimers.values()) clearTimeout(t);
    await this.scope.dispose();
  }
}
