// The runs list: filters on top, a virtualised list below (only the rows in view exist in the DOM,
// so thousands of runs scroll smoothly). Replays sit indented under the run they came from.
import type { RunStatus, RunSummary } from '../../runtime/api';
import { h, replace } from '../dom';
import { duration, pauseText, relative } from '../format';
import type { Store } from '../store';
import { pausedIcon, statusIcon } from './status';

const ROW = 22;
const OVERSCAN = 8;
const AGE_REFRESH_MS = 10_000;
const STATUSES: RunStatus[] = ['Queued', 'Running', 'Completed', 'Failed', 'Cancelled'];

export interface RunsListOptions {
  open(runId: string): void;
  /** Asked when the user scrolls near the end and more pages exist. */
  loadMore(): void;
  /** Filters changed (function/status are applied by the executor: reload). */
  filterChanged(serverSide: boolean): void;
}

export class RunsList {
  readonly el: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly fnSelect: HTMLSelectElement;
  private readonly count: HTMLElement;
  private rows: { run: RunSummary; depth: number }[] = [];
  private selectedId: string | null = null;
  private activeIndex = -1;
  private frame = 0;

  constructor(private readonly store: Store, private readonly opts: RunsListOptions) {
    this.fnSelect = h('select', { 'aria-label': 'Filter by function', onchange: () => { store.filter.functionId = this.fnSelect.value; opts.filterChanged(true); } }, h('option', { value: '' }, 'All functions'));
    const statusSelect = h('select', { 'aria-label': 'Filter by status', onchange: () => { store.filter.status = statusSelect.value as RunStatus | ''; opts.filterChanged(true); } },
      h('option', { value: '' }, 'Any status'), STATUSES.map((s) => h('option', { value: s }, s)));
    const eventInput = h('input', { type: 'search', placeholder: 'Event name or id', 'aria-label': 'Filter by event', oninput: () => { store.filter.event = eventInput.value; opts.filterChanged(false); } });
    this.count = h('span', { class: 'muted runs-count', 'aria-live': 'polite' });
    this.spacer = h('div', { class: 'runs-spacer' });
    this.scroller = h('div', { class: 'runs-scroll', role: 'listbox', tabindex: 0, 'aria-label': 'Runs', onscroll: () => this.schedule(), onkeydown: (e: KeyboardEvent) => this.onKey(e) }, this.spacer);
    this.el = h('section', { class: 'runs-pane', 'aria-label': 'Runs list' },
      h('div', { class: 'pane-title' }, h('h2', null, 'Runs'), this.count),
      h('div', { class: 'filters' }, this.fnSelect, statusSelect, eventInput),
      this.scroller);
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
    // "12s ago" ages: redraw now and then (rows whose text is unchanged are kept as they are).
    setInterval(() => {
      if (!document.hidden) this.schedule();
    }, AGE_REFRESH_MS);
  }

  setFunctions(): void {
    const current = this.fnSelect.value;
    replace(this.fnSelect, h('option', { value: '' }, 'All functions'),
      [...this.store.functions].sort((a, b) => a.name.localeCompare(b.name)).map((f) => h('option', { value: f.id }, f.name)));
    this.fnSelect.value = current;
  }

  select(runId: string | null): void {
    this.selectedId = runId;
    const i = this.rows.findIndex((r) => r.run.id === runId);
    if (i >= 0) this.activeIndex = i;
    this.render();
  }

  /** Recomputes the visible rows from the store and redraws. */
  refresh(): void {
    this.rows = this.store.visibleRuns();
    this.count.textContent = `${this.rows.length.toLocaleString()}${this.store.nextCursor ? '+' : ''}`;
    this.spacer.style.height = `${this.rows.length * ROW}px`;
    if (this.selectedId) this.activeIndex = this.rows.findIndex((r) => r.run.id === this.selectedId);
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Rows in the DOM, by run id, with what they were drawn from (reused while unchanged). */
  private drawn = new Map<string, { el: HTMLElement; run: RunSummary; key: string }>();
  private emptyEl: HTMLElement | null = null;

  /** Draws only the rows in view (plus a few either side), reusing rows that did not change. */
  render(): void {
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + height) / ROW) + OVERSCAN);
    const now = Date.now();
    const next = new Map<string, { el: HTMLElement; run: RunSummary; key: string }>();
    for (let i = first; i < last; i++) {
      const { run } = this.rows[i];
      // Relative times change as the clock moves: a row is redrawn when its text would differ.
      const key = `${i}|${run.id === this.selectedId}|${i === this.activeIndex}|${this.rows.length}|${relative(run.queuedAt, now)}|${run.status === 'Running' ? now : ''}`;
      const old = this.drawn.get(run.id);
      if (old && old.run === run && old.key === key) {
        next.set(run.id, old);
        continue;
      }
      const el = this.row(i, now);
      if (old) old.el.replaceWith(el);
      else this.spacer.appendChild(el);
      next.set(run.id, { el, run, key });
    }
    for (const [id, d] of this.drawn) if (!next.has(id)) d.el.remove();
    this.drawn = next;
    if (this.rows.length === 0 && !this.emptyEl) {
      this.emptyEl = h('div', { class: 'empty-hint' }, this.store.runs.size ? 'No runs match the filters.' : 'No runs yet. Send an event to start one.');
      this.spacer.appendChild(this.emptyEl);
    } else if (this.rows.length > 0 && this.emptyEl) {
      this.emptyEl.remove();
      this.emptyEl = null;
    } else if (this.emptyEl) this.emptyEl.textContent = this.store.runs.size ? 'No runs match the filters.' : 'No runs yet. Send an event to start one.';
    const active = this.rows[this.activeIndex];
    if (active) this.scroller.setAttribute('aria-activedescendant', `run-row-${active.run.id}`);
    else this.scroller.removeAttribute('aria-activedescendant');
    if (this.rows.length > 0 && last >= this.rows.length - OVERSCAN && this.store.nextCursor) this.opts.loadMore();
  }

  private row(i: number, now: number): HTMLElement {
    const { run, depth } = this.rows[i];
    const end = run.endedAt ?? (run.status === 'Running' ? now : undefined);
    const paused = run.status === 'Running' ? run.paused : undefined;
    const el = h('div', {
      id: `run-row-${run.id}`,
      class: `run-row${run.id === this.selectedId ? ' selected' : ''}${i === this.activeIndex ? ' active' : ''}`,
      role: 'option',
      'aria-selected': String(run.id === this.selectedId),
      'aria-posinset': i + 1,
      'aria-setsize': this.rows.length,
      'data-run-id': run.id,
      'data-status': run.status,
      title: `${run.functionName} · ${paused ? pauseText(paused, now) : run.status}${run.error ? ` · ${run.error.message}` : ''}\n${run.id}`,
      onclick: () => { this.activeIndex = i; this.opts.open(run.id); },
    },
    depth ? h('span', { class: 'replay-mark', title: 'Replay' }, '↳') : null,
    paused ? pausedIcon(paused) : statusIcon(run.status),
    h('span', { class: 'run-fn' }, run.functionName || run.functionId),
    h('span', { class: 'run-event muted' }, run.eventName ?? (run.parentRunId ? 'invoked' : '')),
    h('span', { class: 'run-time muted' }, relative(run.queuedAt, now)),
    h('span', { class: 'run-dur muted' }, run.startedAt && end ? duration(end - run.startedAt) : ''));
    el.style.top = `${i * ROW}px`;
    el.style.paddingLeft = `${6 + depth * 14}px`;
    return el;
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.rows.length;
    if (!n) return;
    let i = this.activeIndex;
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW) - 1);
    switch (e.key) {
      case 'ArrowDown': i = Math.min(n - 1, i + 1); break;
      case 'ArrowUp': i = Math.max(0, i - 1); break;
      case 'PageDown': i = Math.min(n - 1, i + page); break;
      case 'PageUp': i = Math.max(0, i - page); break;
      case 'Home': i = 0; break;
      case 'End': i = n - 1; break;
      case 'Enter': case ' ': if (this.rows[i]) this.opts.open(this.rows[i].run.id); e.preventDefault(); return;
      default: return;
    }
    e.preventDefault();
    this.activeIndex = i;
    const y = i * ROW;
    if (y < this.scroller.scrollTop) this.scroller.scrollTop = y;
    else if (y + ROW > this.scroller.scrollTop + this.scroller.clientHeight) this.scroller.scrollTop = y + ROW - this.scroller.clientHeight;
    this.render();
  }
}

