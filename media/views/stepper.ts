// The stepper: walks RunDetail.exchanges one SDK call at a time. For each call it shows the
// memoized state the executor sent (entries new since the previous call highlighted) and the ops
// that came back. Arrow keys or the buttons move; the range input scrubs.
import type { RunDetail, SdkExchange, StepInfo } from '../../runtime/api';
import { h, icon } from '../dom';
import { clock, duration, preview } from '../format';
import { jsonTree } from './jsonTree';
import { errorBlock } from './stepDetail';

export interface StepperActions {
  /** The exchange shown changed (the host highlights its step's line in vscode mode). */
  moved(index: number, step: StepInfo | undefined): void;
}

/** The step an exchange is about: the planned step it requested, else its first op's step. */
export function exchangeStep(run: RunDetail, ex: SdkExchange, byHash: Map<string, StepInfo>): StepInfo | undefined {
  if (ex.stepId && ex.stepId !== 'step') return byHash.get(ex.stepId);
  const op = ex.ops.find((o) => o.hashedId && byHash.has(o.hashedId));
  return op ? byHash.get(op.hashedId) : undefined;
}

/** Groups repeated labels: three `StepPlanned` ops read `StepPlanned x3`. */
export function opHeadline(ex: SdkExchange): string {
  if (ex.ops.length === 0) return ex.status === 200 ? 'returned' : ex.error ? 'error' : 'no ops';
  const counts = new Map<string, number>();
  for (const o of ex.ops) counts.set(o.op, (counts.get(o.op) ?? 0) + 1);
  if (ex.ops.length > 1) return [...counts].map(([op, n]) => (n > 1 ? `${op} x${n}` : op)).join(', ');
  return ex.ops[0].label;
}

export class Stepper {
  readonly el: HTMLElement;
  private index = 0;
  private readonly byHash: Map<string, StepInfo>;

  constructor(private readonly run: RunDetail, private readonly actions: StepperActions, start = 0) {
    this.byHash = new Map(run.steps.map((s) => [s.hashedId, s]));
    this.el = h('section', { class: 'stepper', tabindex: 0, 'aria-label': 'Stepper: one SDK call at a time. Left and right arrows move.', onkeydown: (e: KeyboardEvent) => this.onKey(e) });
    this.index = Math.min(Math.max(0, start), Math.max(0, run.exchanges.length - 1));
    this.render();
  }

  get current(): number {
    return this.index;
  }

  go(i: number): void {
    const n = this.run.exchanges.length;
    if (!n) return;
    const next = Math.min(n - 1, Math.max(0, i));
    if (next === this.index && this.el.childElementCount) return;
    this.index = next;
    this.render();
    this.actions.moved(this.index, exchangeStep(this.run, this.run.exchanges[this.index], this.byHash));
  }

  /** Reports the current call (used when the stepper opens, so the editor highlights its step). */
  announce(): void {
    if (!this.run.exchanges.length) return;
    this.actions.moved(this.index, exchangeStep(this.run, this.run.exchanges[this.index], this.byHash));
  }

  private onKey(e: KeyboardEvent): void {
    if ((e.target as HTMLElement).closest('input,textarea,select')) return;
    const map: Record<string, number> = { ArrowRight: this.index + 1, ArrowLeft: this.index - 1, Home: 0, End: this.run.exchanges.length - 1 };
    if (e.key in map) {
      e.preventDefault();
      this.go(map[e.key]);
    }
  }

  private name(hash: string): string {
    const s = this.byHash.get(hash);
    return s ? s.displayName || s.userId : hash.slice(0, 10);
  }

  private render(): void {
    const ex = this.run.exchanges;
    if (ex.length === 0) {
      this.el.replaceChildren(h('div', { class: 'empty-hint' }, 'No SDK calls recorded yet.'));
      return;
    }
    const cur = ex[this.index];
    // The state sent is a prefix of the run's stack; entries past the previous call's prefix are new.
    const sentIds = this.run.stack.slice(0, cur.stackSize);
    const prevSize = this.index > 0 ? ex[this.index - 1].stackSize : 0;
    const step = exchangeStep(this.run, cur, this.byHash);
    const scrub = h('input', { type: 'range', min: 0, max: ex.length - 1, value: String(this.index), 'aria-label': 'SDK call', oninput: () => this.go(Number(scrub.value)) });
    const nav = h('div', { class: 'stepper-nav' },
      h('button', { class: 'btn icon-btn', 'aria-label': 'Previous call', 'data-action': 'prev', disabled: this.index === 0, onclick: () => this.go(this.index - 1) }, icon('chevronLeft')),
      h('span', { class: 'stepper-pos', 'aria-live': 'polite' }, `Call ${this.index + 1} of ${ex.length}`),
      h('button', { class: 'btn icon-btn', 'aria-label': 'Next call', 'data-action': 'next', disabled: this.index === ex.length - 1, onclick: () => this.go(this.index + 1) }, icon('chevronRight')),
      scrub,
      h('span', { class: 'muted' }, `${cur.stepId === 'step' ? 'discovery' : `run step ${step ? step.displayName || step.userId : cur.stepId.slice(0, 10)}`} · attempt ${cur.attempt + 1} · ${cur.status ?? 'no answer'} · ${duration(cur.durationMs)} · ${clock(cur.startedAt)}`));

    const sent = h('ol', { class: 'memo-list', 'aria-label': 'Memoized state sent' },
      sentIds.length === 0 ? h('li', { class: 'muted' }, 'nothing memoized yet') : null,
      sentIds.map((hash, i) => {
        const isNew = i >= prevSize;
        const s = this.byHash.get(hash);
        return h('li', { class: isNew && this.index > 0 ? 'memo new' : 'memo', 'data-hashed-id': hash },
          h('span', { class: 'memo-name' }, this.name(hash)),
          isNew && this.index > 0 ? h('span', { class: 'tag new-tag' }, 'new') : null,
          h('span', { class: 'muted memo-val' }, s && 'output' in s ? preview(s.output, 70) : ''));
      }));

    const opsEl = h('ol', { class: 'ops-list', 'aria-label': 'Ops returned' },
      cur.ops.map((o) => h('li', { class: 'op', 'data-op': o.op },
        h('div', { class: 'op-label' }, h('code', null, o.label), o.checkpointed ? h('span', { class: 'tag' }, 'checkpointed') : null, o.data !== undefined ? h('span', { class: 'muted' }, ` -> ${preview(o.data, 60)}`) : null),
        o.data !== undefined ? h('details', null, h('summary', null, 'data'), jsonTree(o.data, { label: `${o.label} data`, expandDepth: 1 })) : null,
        o.error ? errorBlock(o.error) : null)));
    const result = cur.status === 200 && cur.ops.length === 0
      ? h('div', { class: 'op' }, h('div', { class: 'op-label' }, h('code', null, 'Function returned'), h('span', { class: 'muted' }, ` -> ${preview(cur.output, 60)}`)), cur.output !== undefined ? jsonTree(cur.output, { label: 'Function output', expandDepth: 1 }) : null)
      : null;

    this.el.replaceChildren(nav,
      h('div', { class: 'stepper-cols' },
        h('div', { class: 'col' }, h('h4', null, `Memoized state sent (${sentIds.length})`), sent),
        h('div', { class: 'col' }, h('h4', null, `Came back: ${opHeadline(cur)}`), opsEl, result, cur.error ? errorBlock(cur.error) : null,
          cur.retryAfter ? h('div', { class: 'muted' }, `retry after ${cur.retryAfter}`) : null, cur.noRetry ? h('div', { class: 'muted' }, 'no retry') : null)));
  }
}
