// The event composer: pick an event (or a function to invoke), edit `data` as JSON validated
// against the event's schema while typing, reuse recent payloads and saved fixtures, send with
// Ctrl+Enter, then watch the runs the event started, live.
import type { EventBuffer, EventRecord, FunctionInfo, RunSummary } from '../../runtime/api';
import { bufferNotes } from '../buffers';
import { h, icon, replace } from '../dom';
import { clock, duration, preview, relative, shortId } from '../format';
import type { Fixture, PanelEventInfo, PanelRoute } from '../messages';
import { parseJson, validate } from '../schema';
import { statusIcon } from './status';

export interface ComposerHost {
  readonly fixturesWhere: string;
  functions(): FunctionInfo[];
  /** Runs known for these event ids (live from the store): as trigger, in a batch, through a debounce. */
  runsForEvents(eventIds: string[]): RunSummary[];
  /** Debounces and batches by event id (live from the store). */
  buffers(): ReadonlyMap<string, EventBuffer>;
  recentEvents(name: string): Promise<EventRecord[]>;
  listFixtures(): Promise<Fixture[]>;
  saveFixture(f: Fixture): Promise<void>;
  send(name: string, data: Record<string, unknown>): Promise<string[]>;
  invoke(functionId: string, data: Record<string, unknown>): Promise<string[]>;
  /** For `Resolve` on a wait: resolves it with this event instead of sending one. */
  resolve(target: ResolveTarget, name: string, data: Record<string, unknown>): Promise<void>;
  openRun(runId: string): void;
}

export interface ResolveTarget {
  runId: string;
  stepId: string;
  label: string;
}

export class Composer {
  readonly el = h('section', { class: 'composer', 'aria-label': 'Send a test event' });
  private events: PanelEventInfo[] = [];
  private mode: 'event' | 'invoke' = 'event';
  private resolveTarget: ResolveTarget | null = null;
  private readonly nameInput = h('input', { type: 'text', class: 'event-name', list: 'steplens-event-names', placeholder: 'app/user.signup', 'aria-label': 'Event name', spellcheck: 'false' });
  private readonly datalist = h('datalist', { id: 'steplens-event-names' });
  private readonly fnSelect = h('select', { 'aria-label': 'Function to invoke' });
  private readonly area = h('textarea', { class: 'json-editor', rows: 14, spellcheck: 'false', 'aria-label': 'Event data (JSON)', 'aria-describedby': 'composer-issues' });
  private readonly issues = h('ul', { id: 'composer-issues', class: 'issues', 'aria-live': 'polite' });
  private readonly historyEl = h('ul', { class: 'pick-list', 'aria-label': 'Recent payloads' });
  private readonly fixturesEl = h('ul', { class: 'pick-list', 'aria-label': 'Saved fixtures' });
  private readonly resultsEl = h('div', { class: 'results', 'aria-live': 'polite' });
  private readonly sendBtn = h('button', { class: 'btn', 'data-action': 'send', title: 'Ctrl+Enter' }, icon('send'), ' Send');
  private readonly fixtureName = h('input', { type: 'text', placeholder: 'fixture name', 'aria-label': 'Fixture name', pattern: '[A-Za-z0-9._-]+' });
  private readonly modeEl = h('div', { class: 'mode-line' });
  private readonly titleEl = h('h2', null, 'Send a test event');
  private readonly modeButtons = (['event', 'invoke'] as const).map((m) =>
    h('button', { class: 'seg', 'data-mode': m, 'aria-pressed': 'false', onclick: () => { this.resolveTarget = null; this.setMode(m); replace(this.modeEl); this.check(); } }, m === 'event' ? 'Event' : 'Invoke'));
  private readonly modeSwitch = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Send an event or invoke a function' }, this.modeButtons);
  private readonly buffersEl = h('ul', { class: 'buffer-notes', role: 'list', 'aria-label': 'Waiting in a debounce or batch' });
  /** Re-renders the countdowns once a second while a note has one. */
  private ticker: ReturnType<typeof setInterval> | undefined;
  private sentIds: string[] = [];
  private sentAt = 0;
  private status = h('div', { class: 'muted', role: 'status' });
  private valid = true;
  /** What the composer filled in by itself last (so later schema news may replace it). */
  private autoFilled: string | null = null;

  constructor(private readonly host: ComposerHost) {
    this.nameInput.addEventListener('change', () => void this.eventChanged(true));
    this.fnSelect.addEventListener('change', () => void this.eventChanged(true));
    this.area.addEventListener('input', () => this.check());
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void this.send();
      }
    });
    this.sendBtn.addEventListener('click', () => void this.send());
    this.el.append(
      h('div', { class: 'pane-title' }, this.titleEl, this.modeSwitch, this.modeEl),
      h('div', { class: 'composer-grid' },
        h('div', { class: 'composer-main' },
          h('label', { class: 'field event-only' }, h('span', null, 'Event'), this.nameInput, this.datalist),
          h('label', { class: 'field invoke-only' }, h('span', null, 'Function'), this.fnSelect),
          h('label', { class: 'field' }, h('span', null, 'data'), this.area),
          this.issues,
          h('div', { class: 'row-actions' }, this.sendBtn, h('span', { class: 'muted' }, 'Ctrl+Enter'), h('span', { class: 'spacer' }),
            this.fixtureName, h('button', { class: 'btn secondary', 'data-action': 'save-fixture', onclick: () => void this.saveFixture() }, icon('save'), ' Save as fixture')),
          this.status,
          this.resultsEl),
        h('aside', { class: 'composer-side' },
          h('h3', null, 'Recent payloads'), this.historyEl,
          h('h3', null, 'Fixtures ', h('span', { class: 'muted' }, `(${host.fixturesWhere})`)), this.fixturesEl)));
  }

  setEvents(events: PanelEventInfo[]): void {
    this.events = events;
    // Schemas arrived after the composer filled itself: use the example if nothing was typed since.
    const info = this.info();
    if (this.mode === 'event' && info && Object.keys(info.example).length && this.area.value === this.autoFilled && this.autoFilled !== JSON.stringify(info.example, null, 2)) {
      this.setData(info.example);
      this.autoFilled = this.area.value;
    }
    replace(this.datalist, events.map((e) => h('option', { value: e.name })));
    const fns = this.host.functions();
    const cur = this.fnSelect.value;
    replace(this.fnSelect, fns.map((f) => h('option', { value: f.id }, f.name)));
    if (cur) this.fnSelect.value = cur;
    this.check();
  }

  /** Opens the composer for a route (CodeLens, "send again", the header button). */
  async open(route: Extract<PanelRoute, { view: 'composer' }>, resolve?: ResolveTarget): Promise<void> {
    this.resolveTarget = resolve ?? null;
    this.setMode(route.mode === 'invoke' ? 'invoke' : 'event');
    const fns = this.host.functions();
    if (route.functionId) this.fnSelect.value = route.functionId;
    let name = route.eventName;
    if (!name && route.functionId) {
      const fn = fns.find((f) => f.id === route.functionId);
      const t = fn?.triggers.find((x): x is { event: string } => 'event' in x);
      name = t?.event;
    }
    if (name) this.nameInput.value = name;
    else if (!this.nameInput.value && this.events[0]) this.nameInput.value = this.events[0].name;
    replace(this.modeEl, this.resolveTarget
      ? [h('span', { class: 'tag' }, `resolves wait ${this.resolveTarget.label} of run ${shortId(this.resolveTarget.runId)}`),
        h('span', { class: 'muted resolve-note' }, ' with this payload as the event it waited for; no event is sent, so no other function sees it. Send it instead to trigger them too.')]
      : null);
    this.setMode(this.mode);
    await this.eventChanged(!route.data);
    if (route.data) this.setData(route.data);
    this.refreshResults(); // the countdowns of the last send go on where they were
    this.area.focus();
  }

  private setMode(mode: 'event' | 'invoke'): void {
    this.mode = mode;
    this.el.classList.toggle('invoking', mode === 'invoke');
    for (const b of this.modeButtons) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    this.modeSwitch.hidden = !!this.resolveTarget;
    this.titleEl.textContent = this.resolveTarget ? 'Resolve a wait' : mode === 'invoke' ? 'Invoke a function' : 'Send a test event';
    this.sendBtn.lastChild!.textContent = this.resolveTarget ? ' Resolve' : mode === 'invoke' ? ' Invoke' : ' Send';
  }

  private info(): PanelEventInfo | undefined {
    return this.events.find((e) => e.name === this.nameInput.value.trim());
  }

  private setData(data: unknown): void {
    this.area.value = JSON.stringify(data, null, 2);
    this.check();
  }

  /** The event changed: prefill from the schema example (or the last payload), reload lists. */
  private async eventChanged(prefill: boolean): Promise<void> {
    const name = this.nameInput.value.trim();
    const info = this.info();
    const typedBefore = this.area.value;
    this.el.dataset.loading = 'true';
    let recent: EventRecord[] = [];
    try {
      recent = name ? await this.host.recentEvents(name) : [];
    } catch {
      recent = [];
    }
    // Never overwrite what the user typed while the lists were loading.
    if (prefill && this.area.value === typedBefore) {
      this.setData(info && Object.keys(info.example).length ? info.example : recent[0]?.data ?? {});
      this.autoFilled = this.area.value;
    }
    replace(this.historyEl, recent.length === 0 ? h('li', { class: 'muted' }, 'No payloads sent yet.') : recent.slice(0, 10).map((ev) =>
      h('li', null, h('button', { class: 'pick', title: JSON.stringify(ev.data, null, 2), onclick: () => this.setData(ev.data) },
        h('span', { class: 'muted' }, relative(ev.receivedAt)), ' ', preview(ev.data, 60)))));
    await this.refreshFixtures();
    this.check();
    delete this.el.dataset.loading;
  }

  private async refreshFixtures(): Promise<void> {
    let all: Fixture[] = [];
    try {
      all = await this.host.listFixtures();
    } catch (e) {
      replace(this.fixturesEl, h('li', { class: 'error-text' }, `Cannot list fixtures: ${(e as Error).message}`));
      return;
    }
    const name = this.nameInput.value.trim();
    const sorted = [...all.filter((f) => f.event === name), ...all.filter((f) => f.event !== name)];
    replace(this.fixturesEl, sorted.length === 0 ? h('li', { class: 'muted' }, 'None saved yet.') : sorted.map((f) =>
      h('li', null, h('button', { class: `pick${f.event === name ? '' : ' other'}`, 'data-fixture': f.name, title: `${f.event}\n${JSON.stringify(f.data, null, 2)}`, onclick: () => { this.nameInput.value = f.event; this.setData(f.data); void this.eventChanged(false); } },
        icon('save'), ` ${f.name}`, f.event === name ? '' : h('span', { class: 'muted' }, ` ${f.event}`)))));
  }

  /** Parses and validates what is typed; shows the problems; returns the data when it is usable. */
  private check(): Record<string, unknown> | null {
    const items: HTMLElement[] = [];
    let data: Record<string, unknown> | null = null;
    const parsed = parseJson(this.area.value || '{}');
    if (!parsed.ok) items.push(h('li', { class: 'error-text' }, `JSON: ${parsed.message}`));
    else if (!parsed.value || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) items.push(h('li', { class: 'error-text' }, '`data` must be a JSON object.'));
    else {
      data = parsed.value as Record<string, unknown>;
      const schema = this.mode === 'event' ? this.info()?.dataSchema : null;
      if (schema) for (const i of validate(schema, data)) items.push(h('li', { class: 'warn-text' }, `${i.path} ${i.message}`));
    }
    const name = this.nameInput.value.trim();
    if (this.mode === 'event' && !name) items.push(h('li', { class: 'error-text' }, 'Pick an event name.'));
    const info = this.info();
    if (this.mode === 'event' && name && this.events.length && !info) items.push(h('li', { class: 'muted' }, 'No function is known to listen to this event.'));
    else if (this.mode === 'event' && info && !info.dataSchema) items.push(h('li', { class: 'muted' }, 'No schema known for this event: any object is accepted.'));
    else if (data && this.mode === 'event' && info?.dataSchema && items.length === 0) items.push(h('li', { class: 'ok-text' }, 'Matches the event schema.'));
    replace(this.issues, items);
    this.valid = data !== null && (this.mode === 'invoke' || !!name);
    this.area.setAttribute('aria-invalid', String(!this.valid || items.some((i) => i.classList.contains('warn-text'))));
    return this.valid ? data : null;
  }

  private async send(): Promise<void> {
    const data = this.check();
    if (!data) return;
    const name = this.nameInput.value.trim();
    this.sendBtn.disabled = true;
    this.status.textContent = 'Sending…';
    try {
      if (this.resolveTarget) {
        await this.host.resolve(this.resolveTarget, name, data);
        this.status.textContent = `Resolved the wait of run ${shortId(this.resolveTarget.runId)}.`;
        const runId = this.resolveTarget.runId;
        this.resolveTarget = null;
        this.host.openRun(runId);
        return;
      }
      this.sentIds = this.mode === 'invoke' ? await this.host.invoke(this.fnSelect.value, data) : await this.host.send(name, data);
      this.sentAt = Date.now();
      this.status.textContent = `Sent ${this.mode === 'invoke' ? 'invoke' : name} at ${clock(this.sentAt)} (event ${this.sentIds.map(shortId).join(', ')}).`;
      this.refreshResults();
      void this.eventChanged(false);
    } catch (e) {
      const err = e as Error & { hint?: string };
      this.status.textContent = '';
      this.status.append(h('span', { class: 'error-text' }, `Not sent: ${err.message}${err.hint ? `. ${err.hint}` : ''}`));
    } finally {
      this.sendBtn.disabled = false;
    }
  }

  /** The executor may name the event by its internal id in runs: follow those ids too. */
  trackEventIds(ids: string[]): void {
    for (const id of ids) if (!this.sentIds.includes(id)) this.sentIds.push(id);
  }

  /** Called on every store change: shows the runs the last sent event started, and where it waits. */
  refreshResults(): void {
    if (!this.sentIds.length) return;
    const runs = this.host.runsForEvents(this.sentIds);
    const notes = bufferNotes(this.host.buffers(), this.sentIds, Date.now());
    replace(this.buffersEl, notes.map((n) => h('li', { class: 'buffer-note', 'data-state': n.state, 'data-rule': n.rule, 'data-key': n.key },
      icon(n.state === 'open' ? 'queued' : n.state === 'started' ? 'running' : 'cancelled'), ` ${n.text}`,
      n.runId ? [' ', h('button', { class: 'link', 'data-run-id': n.runId, onclick: () => this.host.openRun(n.runId!) }, 'Open run')] : null)));
    const ticking = notes.some((n) => n.due !== undefined);
    if (ticking && !this.ticker) this.ticker = setInterval(() => (this.el.isConnected ? this.refreshResults() : this.stopTicker()), 1000);
    else if (!ticking) this.stopTicker();
    const waiting = notes.some((n) => n.state === 'open');
    replace(this.resultsEl,
      notes.length ? this.buffersEl : null,
      h('h3', null, `Runs started (${runs.length})`),
      runs.length === 0 && !waiting ? h('div', { class: 'muted' }, 'Waiting for runs… (no function may listen to this event)') : null,
      h('ul', { class: 'started-runs', role: 'list' }, runs.map((r) => h('li', null,
        h('button', { class: 'pick', 'data-run-id': r.id, 'data-status': r.status, onclick: () => this.host.openRun(r.id) },
          statusIcon(r.status), ` ${r.functionName} `, h('span', { class: 'muted' }, `${r.status}${r.startedAt && r.endedAt ? ` in ${duration(r.endedAt - r.startedAt)}` : ''}${r.error ? `: ${r.error.message}` : ''}`))))));
  }

  private stopTicker(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private async saveFixture(): Promise<void> {
    const data = this.check();
    const name = this.fixtureName.value.trim();
    if (!data) return;
    if (!/^[A-Za-z0-9._-]+$/.test(name)) {
      this.status.textContent = 'Give the fixture a name: letters, digits, ".", "-" or "_".';
      this.fixtureName.focus();
      return;
    }
    try {
      await this.host.saveFixture({ name, event: this.nameInput.value.trim(), data });
      this.status.textContent = `Saved fixture ${name} in ${this.host.fixturesWhere}.`;
      await this.refreshFixtures();
    } catch (e) {
      this.status.textContent = `Could not save the fixture: ${(e as Error).message}`;
    }
  }
}
