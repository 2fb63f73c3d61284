// The panel application: wires the transport, the store and the views, and routes between them.
import type { RunDetail, StepInfo } from '../runtime/api';
import { ApiCallError, ExecutorClient } from './client';
import { h, icon, replace } from './dom';
import { shortId, userFrame } from './format';
import type { PanelEventInfo, PanelRoute } from './messages';
import { Store, type StoreChange } from './store';
import type { Transport } from './transport';
import { Composer, type ResolveTarget } from './views/composer';
import { RunView } from './views/runView';
import { RunsList } from './views/runsList';

/** Runs per request (the executor caps pages at 500) and how many the first load lists. */
const PAGE = 500;
const FIRST_LOAD = 1000;
/** How often to ask for changes while the live stream is down. */
const POLL_MS = 1000;
/** How long the first render waits for the language server's events. */
const EVENTS_WAIT_MS = 2000;

export class App {
  readonly store = new Store();
  readonly client: ExecutorClient;
  private readonly runsList: RunsList;
  private readonly runView: RunView;
  private readonly composer: Composer;
  private readonly content = h('main', { class: 'content', id: 'content' });
  private readonly streamEl = h('span', { class: 'stream-state', role: 'status' });
  private readonly banner = h('div', { class: 'banner', role: 'alert', hidden: true });
  private route: PanelRoute = { view: 'runs' };
  private loadingMore = false;
  private refetchTimer: ReturnType<typeof setTimeout> | undefined;
  private listFrame = 0;
  private lspEvents: PanelEventInfo[] | null = null;
  private readonly off: () => void;

  constructor(private readonly t: Transport, root: HTMLElement) {
    this.client = new ExecutorClient(t);
    this.runsList = new RunsList(this.store, {
      open: (id) => this.navigate({ view: 'run', runId: id }),
      loadMore: () => void this.loadMore(),
      filterChanged: (server) => (server ? void this.reloadRuns() : this.runsList.refresh()),
    });
    this.runView = new RunView({
      openRun: (id, stepId) => this.navigate({ view: 'run', runId: id, stepId }),
      sendAgain: (eventName, data) => this.navigate({ view: 'composer', eventName, data }),
      resolveWait: (run, step) => this.openResolve(run, step),
      cancel: async (run) => { await this.client.cancel(run.id); await this.refetchRun(run.id); },
      skipSleep: async (run, step) => { await this.client.skipSleep(run.id, step.hashedId); await this.refetchRun(run.id); },
      rerun: async (run, req) => {
        const { runId } = await this.client.rerun(run.id, req);
        this.navigate({ view: 'run', runId });
      },
      goToSource: (run, step) => void this.goToSource(run, step),
      highlight: (run, step) => this.t.highlightSource(step ? { functionId: run.functionId, stepId: step.userId } : null),
      sourceText: (run, step) => {
        if (this.t.canOpenSource) return null;
        // The browser has no language server: a failed step's stack still says where it threw.
        const frame = userFrame(step.error?.stack ?? step.attempts.find((a) => a.error?.stack)?.error?.stack);
        return frame ? `${frame.file}:${frame.line}` : `${run.functionId} › step "${step.userId}" (Go to source works in VS Code)`;
      },
      selectedStep: (runId, stepId) => this.reportRoute({ view: 'run', runId, stepId: stepId ?? undefined }),
    });
    this.composer = new Composer({
      fixturesWhere: t.fixturesWhere,
      functions: () => this.store.functions,
      runsForEvents: (ids) => this.store.runsForEvents(ids),
      buffers: () => this.store.buffers,
      recentEvents: async (name) => (await this.client.events({ name, limit: 10 })).data,
      listFixtures: () => t.listFixtures(),
      saveFixture: (f) => t.saveFixture(f),
      send: async (name, data) => {
        const res = await this.client.sendEvent(name, data);
        void this.pollRunsFor(res.ids);
        return res.ids;
      },
      invoke: async (fnId, data) => {
        const res = await this.client.invoke(fnId, { data });
        void this.pollRunsFor([res.eventId]);
        return [res.eventId];
      },
      resolve: async (target, name, data) => { await this.client.resolveWait(target.runId, target.stepId, { event: { name, data } }); },
      openRun: (id) => this.navigate({ view: 'run', runId: id }),
    });
    this.off = this.store.on((c) => this.onChange(c));
    root.replaceChildren(
      h('header', { class: 'topbar' },
        h('span', { class: 'brand' }, icon('step'), ' Steplens'),
        h('nav', { class: 'nav', 'aria-label': 'Views' },
          h('button', { class: 'btn secondary', 'data-action': 'compose', onclick: () => this.navigate({ view: 'composer' }) }, icon('send'), ' Send event')),
        h('span', { class: 'spacer' }),
        this.streamEl),
      this.banner,
      h('div', { class: 'split' }, this.runsList.el, this.content));
    // The host may ask for a view before the first load is done: keep the last such wish for then.
    t.onNavigate((to) => (this.started ? this.navigate(to) : (this.pendingNavigation = to)));
  }

  private started = false;
  private pendingNavigation: PanelRoute | null = null;

  async start(initial: PanelRoute | null): Promise<void> {
    this.t.stream({ message: (m) => this.store.receive(m), state: (s, d) => this.store.setStream(s, d) }, () => this.store.lastSeq);
    // A run to open is fetched alongside the list, not after it.
    if (initial?.view === 'run') {
      const detail = this.client.run(initial.runId);
      detail.catch(() => undefined); // handled where it is awaited (openRun)
      this.prefetched = { id: initial.runId, detail };
    }
    // Events (with schemas, from the language server) are loaded first so a composer opened by a
    // CodeLens is prefilled from the schema's example.
    await Promise.all([this.loadFunctions(), this.reloadRuns(), this.loadEvents()]);
    this.started = true;
    this.navigate(this.pendingNavigation ?? initial ?? { view: 'runs' });
  }

  private showBanner(text: string | null): void {
    this.banner.hidden = !text;
    this.banner.textContent = text ?? '';
  }

  private async loadFunctions(): Promise<void> {
    try {
      this.store.functions = await this.client.functions();
      this.runsList.setFunctions();
      this.composer.setEvents(this.composerEvents());
    } catch (e) {
      this.showBanner(`Cannot load functions: ${(e as Error).message}`);
    }
  }

  /** Asks for the language server's events; waits at most EVENTS_WAIT_MS (a busy server answers later). */
  private async loadEvents(): Promise<void> {
    const answered = this.t.events().then(
      (events) => {
        this.lspEvents = events;
        this.composer.setEvents(this.composerEvents());
      },
      () => undefined,
    );
    await Promise.race([answered, new Promise((r) => setTimeout(r, EVENTS_WAIT_MS))]);
  }

  /** Language-server events when there are some; else the event triggers of synced functions. */
  private composerEvents(): PanelEventInfo[] {
    const byName = new Map<string, PanelEventInfo>();
    for (const e of this.lspEvents ?? []) byName.set(e.name, e);
    for (const f of this.store.functions) {
      for (const t of f.triggers) {
        if (!('event' in t)) continue;
        const e = byName.get(t.event) ?? { name: t.event, dataSchema: null, example: {}, listeners: [] };
        if (!e.listeners.includes(f.id)) e.listeners = [...e.listeners, f.id];
        byName.set(t.event, e);
      }
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private async reloadRuns(): Promise<void> {
    try {
      const q = { limit: PAGE, functionId: this.store.filter.functionId || undefined, status: this.store.filter.status || undefined };
      let page = await this.client.runs(q);
      const all = [...page.data];
      while (page.nextCursor && all.length < FIRST_LOAD) {
        page = await this.client.runs({ ...q, cursor: page.nextCursor });
        all.push(...page.data);
      }
      this.store.runs.clear();
      this.store.nextCursor = page.nextCursor;
      this.store.upsertRuns(all);
      this.showBanner(null);
    } catch (e) {
      const err = e as Error & { hint?: string };
      this.showBanner(`Cannot load runs: ${err.message}${err.hint ? `. ${err.hint}` : ''}`);
    }
  }

  private async loadMore(): Promise<void> {
    if (this.loadingMore || !this.store.nextCursor) return;
    this.loadingMore = true;
    try {
      const page = await this.client.runs({ limit: PAGE, cursor: this.store.nextCursor, functionId: this.store.filter.functionId || undefined, status: this.store.filter.status || undefined });
      this.store.nextCursor = page.nextCursor;
      this.store.upsertRuns(page.data);
    } catch (e) {
      this.showBanner(`Cannot load more runs: ${(e as Error).message}`);
    } finally {
      this.loadingMore = false;
    }
  }

  /**
   * The stream tells us about runs and buffers too; this covers what happened before we subscribed.
   * Routes.event names every run that took the event (a batch's later events included) and the
   * debounce or batch holding it; an executor without that route is asked for the runs instead.
   */
  private async pollRunsFor(eventIds: string[]): Promise<void> {
    // Runs start a moment after the event is accepted; ask a few times, then rely on the stream.
    for (let attempt = 0; attempt < 10; attempt++) {
      let found = 0;
      for (const id of eventIds) {
        try {
          const d = await this.client.event(id).catch(async (e: unknown) => {
            if (!(e instanceof ApiCallError) || e.status !== 404) throw e;
            const page = await this.client.runs({ eventId: id, limit: 50 });
            return { runs: page.data.map((run) => ({ run, role: 'trigger' as const })), buffers: [], event: null };
          });
          found += d.runs.length + d.buffers.length;
          if (d.event) this.store.putEventDetail({ ...d, event: d.event });
          else if (d.runs.length) this.store.upsertRuns(d.runs.map((r) => r.run));
          this.composer.trackEventIds(d.runs.filter((r) => r.role === 'trigger').map((r) => r.run.eventId).filter((x): x is string => !!x));
        } catch {
          /* the stream still delivers them */
        }
      }
      if (found) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    this.composer.refreshResults();
  }

  private onChange(c: StoreChange): void {
    switch (c.kind) {
      case 'runs':
      case 'run':
        if (!this.listFrame) this.listFrame = requestAnimationFrame(() => { this.listFrame = 0; this.runsList.refresh(); this.composer.refreshResults(); });
        // Compare with the route, not the view: while a newly opened run is being fetched, the view
        // still shows the previous one, and a change to the new run must not be dropped.
        if (c.kind === 'run' && c.runId === this.openRunId()) this.scheduleRefetch(c.runId);
        break;
      case 'functions':
        void this.loadFunctions();
        break;
      case 'buffers':
        if (!this.listFrame) this.listFrame = requestAnimationFrame(() => { this.listFrame = 0; this.runsList.refresh(); this.composer.refreshResults(); });
        break;
      case 'stream':
        this.pollWhileStreamDown(c.state !== 'open');
        this.streamEl.replaceChildren(h('span', { class: `dot ${c.state}` }), c.state === 'open' ? ' live' : c.state === 'connecting' ? ' connecting…' : ` ${c.detail ?? 'disconnected'}`);
        break;
      case 'resync':
        void this.reloadRuns();
        {
          const open = this.openRunId();
          if (open) this.scheduleRefetch(open);
        }
        break;
      default: {
        const never: never = c;
        throw new Error(`unhandled store change ${JSON.stringify(never)}`);
      }
    }
  }

  private pollTimer: ReturnType<typeof setInterval> | undefined;
  /**
   * Without the stream (executor restarting, or one without /api/stream), the panel stays current
   * by asking: the newest runs and the open run, every POLL_MS, until the stream is back.
   */
  private pollWhileStreamDown(down: boolean): void {
    if (!down) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
      return;
    }
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => void this.pollOnce(), POLL_MS);
  }

  private async pollOnce(): Promise<void> {
    try {
      const page = await this.client.runs({ limit: 50, functionId: this.store.filter.functionId || undefined, status: this.store.filter.status || undefined });
      const changed = page.data.filter((r) => {
        const old = this.store.runs.get(r.id);
        return !old || old.status !== r.status || old.endedAt !== r.endedAt || old.stepCount !== r.stepCount || old.requestCount !== r.requestCount;
      });
      if (changed.length) this.store.upsertRuns(changed);
      const open = this.openRunId();
      if (open) {
        const cur = this.store.runs.get(open);
        if (!cur || cur.status === 'Running' || cur.status === 'Queued' || changed.some((r) => r.id === open)) await this.refetchRun(open);
      }
    } catch {
      /* the executor is away; try again next tick */
    }
  }

  /** The run the user has open (the route), even while its detail is still being fetched. */
  private openRunId(): string | undefined {
    return this.route.view === 'run' ? this.route.runId : undefined;
  }

  private scheduleRefetch(runId: string): void {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = setTimeout(() => void this.refetchRun(runId), 120);
  }

  private async refetchRun(runId: string): Promise<void> {
    try {
      const run = await this.client.run(runId);
      if (this.route.view === 'run' && this.route.runId === runId) this.runView.show(run);
      this.store.refreshed(run);
    } catch {
      /* keep what is shown; the next change retries */
    }
  }

  private reportRoute(r: PanelRoute): void {
    this.route = r;
    const title = r.view === 'run' ? `Run ${shortId(r.runId)}` : r.view === 'composer' ? 'Send event' : 'Runs';
    this.t.reportRoute(r, title);
  }

  navigate(r: PanelRoute): void {
    if (this.route.view === 'run' && (r.view !== 'run' || r.runId !== this.route.runId)) this.runView.leave();
    this.reportRoute(r);
    switch (r.view) {
      case 'runs':
        this.runsList.select(null);
        replace(this.content, h('div', { class: 'welcome' },
          h('h2', null, 'Runs'),
          h('p', { class: 'muted' }, 'Pick a run on the left, or send a test event to start one.'),
          h('button', { class: 'btn', onclick: () => this.navigate({ view: 'composer' }) }, icon('send'), ' Send a test event')));
        this.markRendered();
        break;
      case 'run':
        this.runsList.select(r.runId);
        void this.openRun(r.runId, r.stepId);
        break;
      case 'composer':
        this.runsList.select(null);
        replace(this.content, this.composer.el);
        void this.composer.open(r);
        this.markRendered();
        break;
      default: {
        const never: never = r;
        throw new Error(`unknown route ${JSON.stringify(never)}`);
      }
    }
  }

  private prefetched: { id: string; detail: Promise<RunDetail> } | null = null;

  private async openRun(runId: string, stepId?: string): Promise<void> {
    let run: RunDetail;
    try {
      const pre = this.prefetched?.id === runId ? this.prefetched.detail : null;
      this.prefetched = null;
      run = await (pre ?? this.client.run(runId));
    } catch (e) {
      replace(this.content, h('div', { class: 'welcome' }, h('p', { class: 'error-text' }, `Cannot open run ${runId}: ${(e as Error).message}`)));
      this.markRendered();
      return;
    }
    if (this.route.view !== 'run' || this.route.runId !== runId) return;
    this.runView.show(run, stepId);
    if (this.content.firstChild !== this.runView.el) replace(this.content, this.runView.el);
    this.markRendered();
  }

  private openResolve(run: RunDetail, step: StepInfo): void {
    const target: ResolveTarget = { runId: run.id, stepId: step.hashedId, label: step.displayName || step.userId };
    this.reportRoute({ view: 'composer', eventName: step.wait?.event });
    replace(this.content, this.composer.el);
    void this.composer.open({ view: 'composer', eventName: step.wait?.event }, target);
  }

  private async goToSource(run: RunDetail, step: StepInfo): Promise<void> {
    try {
      const loc = await this.t.openSource({ functionId: run.functionId, stepId: step.userId });
      if (!loc) this.showBanner(`The language server does not know where step "${step.userId}" of ${run.functionId} is. Is the file open in this workspace?`);
    } catch (e) {
      this.showBanner(`Go to source failed: ${(e as Error).message}`);
    }
  }

  private rendered = false;
  /** Marks the first complete render, for the bench and the tests. */
  private markRendered(): void {
    if (this.rendered) return;
    this.rendered = true;
    requestAnimationFrame(() => {
      performance.mark('steplens:first-render');
      document.body.dataset.ready = 'true';
    });
  }

  async dispose(): Promise<void> {
    this.off();
    clearTimeout(this.refetchTimer);
    clearInterval(this.pollTimer);
    await this.t.dispose();
  }
}

