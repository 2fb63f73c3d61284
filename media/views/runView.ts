// The run view: header with actions, timeline or stepper, the selected step's detail, and the
// replay edits (payload, step outputs) kept until the user replays or discards them.
import type { RerunRequest, RunDetail, StepInfo } from '../../runtime/api';
import { h, icon, replace } from '../dom';
import { dateTime, duration, holdText, retriesOf, shortId, unwrapOutput } from '../format';
import { parseJson } from '../schema';
import { statusBadge } from './status';
import { errorBlock, stepDetail } from './stepDetail';
import { Stepper } from './stepper';
import { timeline, timelineItems } from './timeline';

export interface RunViewHost {
  openRun(runId: string, stepId?: string): void;
  /** Opens the composer to send the trigger event again, or to resolve a wait. */
  sendAgain(eventName: string, data: Record<string, unknown>): void;
  resolveWait(run: RunDetail, step: StepInfo): void;
  cancel(run: RunDetail): Promise<void>;
  skipSleep(run: RunDetail, step: StepInfo): Promise<void>;
  rerun(run: RunDetail, req: RerunRequest): Promise<void>;
  goToSource(run: RunDetail, step: StepInfo): void;
  highlight(run: RunDetail, step: StepInfo | undefined): void;
  /** `file:line` or a hint, when the editor cannot open sources (browser mode); else null. */
  sourceText(run: RunDetail, step: StepInfo): string | null;
  selectedStep(runId: string, stepHashedId: string | null): void;
}

type Editor = { kind: 'payload' } | { kind: 'output'; hashedId: string } | null;

export class RunView {
  readonly el = h('section', { class: 'run-view', 'aria-label': 'Run' });
  private run: RunDetail | null = null;
  private selected: string | null = null;
  private tab: 'timeline' | 'stepper' = 'timeline';
  private stepper: Stepper | null = null;
  private stepperIndex = 0;
  private editor: Editor = null;
  private edits: { eventData?: Record<string, unknown>; stepOutputs: Record<string, unknown> } = { stepOutputs: {} };
  private busy: string | null = null;
  private message: { text: string; error?: boolean } | null = null;
  private print = '';
  /** The open inline editor, kept across re-renders so live updates never eat what is typed. */
  private editorNode: { key: string; el: HTMLElement } | null = null;

  constructor(private readonly host: RunViewHost) {}

  get runId(): string | null {
    return this.run?.id ?? null;
  }

  /** Shows a run (a new one resets selection and edits; the same one keeps them). */
  show(run: RunDetail, stepId?: string): void {
    const same = this.run?.id === run.id;
    const print = fingerprint(run);
    // A refetch that changed nothing keeps the DOM (expanded JSON nodes, scroll, focus) as it is.
    if (same && print === this.print && !stepId) return;
    this.print = print;
    this.run = run;
    if (!same) {
      this.selected = null;
      this.edits = { stepOutputs: {} };
      this.editor = null;
      this.stepperIndex = 0;
      this.message = null;
      this.busy = null;
    }
    if (stepId) this.selected = run.steps.find((s) => s.hashedId === stepId || s.userId === stepId)?.hashedId ?? this.selected;
    if (!this.selected) {
      // A failed run opens on its failed step.
      const failed = run.steps.find((s) => s.status === 'failed');
      this.selected = failed?.hashedId ?? null;
    }
    this.render();
  }

  private step(hash: string | null): StepInfo | undefined {
    return hash ? this.run?.steps.find((s) => s.hashedId === hash) : undefined;
  }

  private async act(label: string, fn: () => Promise<void>): Promise<void> {
    this.busy = label;
    this.message = null;
    this.render();
    try {
      await fn();
    } catch (e) {
      const err = e as Error & { hint?: string };
      this.message = { text: `${label} failed: ${err.message}${err.hint ? `. ${err.hint}` : ''}`, error: true };
    } finally {
      this.busy = null;
      this.render();
    }
  }

  private switchTab(t: 'timeline' | 'stepper'): void {
    const run = this.run;
    if (!run || t === this.tab) return;
    this.tab = t;
    this.render();
    // The editor's "current line" follows the stepper, and is cleared when the stepper closes.
    if (t === 'stepper') this.stepper?.announce();
    else this.host.highlight(run, undefined);
  }

  /** Called when the panel leaves this run: clears the editor highlight the stepper set. */
  leave(): void {
    if (this.run && this.tab === 'stepper') this.host.highlight(this.run, undefined);
  }

  /** `from`: a step id, `failure` (keep every completed step), or nothing (from the start). */
  private rerunRequest(from?: string | { failure: true }): RerunRequest {
    const req: RerunRequest = {};
    if (typeof from === 'string') req.fromStepId = from;
    else if (from) req.fromFailure = true;
    if (this.edits.eventData) req.eventData = this.edits.eventData;
    // Edited outputs only matter when earlier steps are kept: a replay from the start runs them all.
    if (from && Object.keys(this.edits.stepOutputs).length) req.stepOutputs = { ...this.edits.stepOutputs };
    return req;
  }

  private replay(from?: string | { failure: true }): void {
    const run = this.run;
    if (!run) return;
    const what = typeof from === 'string' ? 'Replay from step' : from ? 'Continue' : 'Replay';
    void this.act(what, () => this.host.rerun(run, this.rerunRequest(from)));
  }

  render(): void {
    const run = this.run;
    if (!run) return;
    const focusedInTimeline = this.el.querySelector('.timeline')?.contains(document.activeElement) ?? false;
    const stepperFocused = this.stepper?.el.contains(document.activeElement) ?? false;
    const end = run.endedAt ?? Date.now();
    const retries = retriesOf(run.steps);
    const active = run.status === 'Running' || run.status === 'Queued';
    const pending = [this.edits.eventData ? 'edited payload' : '', Object.keys(this.edits.stepOutputs).length ? `${Object.keys(this.edits.stepOutputs).length} edited step output(s) (when replaying from a later step)` : ''].filter(Boolean);

    const header = h('header', { class: 'run-header' },
      h('div', { class: 'run-title' },
        h('h2', null, run.functionName || run.functionId),
        statusBadge(run.status),
        h('span', { class: 'muted run-id', title: run.id }, shortId(run.id)),
        h('span', { class: 'spacer' }),
        h('button', { class: 'btn', 'data-action': 'replay', disabled: !!this.busy, onclick: () => this.replay(), title: 'Rerun from the start with the same event' }, icon('replay'), ' Replay'),
        // A failure after the last completed step (a handler error) has no step to replay from.
        (run.status === 'Failed' || run.status === 'Cancelled') && run.steps.some((s) => s.status === 'completed')
          ? h('button', { class: 'btn secondary', 'data-action': 'replay-continue', disabled: !!this.busy, onclick: () => this.replay({ failure: true }), title: 'Rerun keeping every completed step: what failed, and what comes after it, runs again' }, icon('replay'), ' Continue')
          : null,
        run.event ? h('button', { class: 'btn secondary', onclick: () => { this.editor = { kind: 'payload' }; this.render(); } }, icon('edit'), ' Edit payload') : null,
        active ? h('button', { class: 'btn secondary', 'data-action': 'cancel', disabled: !!this.busy, onclick: () => void this.act('Cancel', () => this.host.cancel(run)) }, icon('cancelled'), ' Cancel') : null),
      h('dl', { class: 'facts inline' },
        h('dt', null, 'Trigger'), h('dd', null, run.eventName
          ? h('button', { class: 'link', title: 'Open the composer with this event', onclick: () => run.event && this.host.sendAgain(run.event.name, this.edits.eventData ?? run.event.data) }, run.eventName)
          : run.parentRunId ? 'invoke' : '-'),
        h('dt', null, 'Started'), h('dd', null, dateTime(run.startedAt ?? run.queuedAt)),
        h('dt', null, 'Duration'), h('dd', null, run.startedAt ? `${duration(end - run.startedAt)}${run.endedAt ? '' : ' so far'}` : '-'),
        h('dt', null, 'Retries'), h('dd', { title: 'Step attempts after the first, over the steps this run executed itself' }, String(retries)),
        h('dt', null, 'SDK calls'), h('dd', null, String(run.requestCount))),
      run.rerunOf ? h('div', { class: 'origin' }, 'Replay of ', h('button', { class: 'link', onclick: () => this.host.openRun(run.rerunOf!.runId) }, `run ${shortId(run.rerunOf.runId)}`), run.rerunOf.fromStepId ? ` from step ${this.step(run.rerunOf.fromStepId)?.displayName ?? run.rerunOf.fromStepId}` : run.rerunOf.fromFailure ? ' from where it stopped' : ' from the start') : null,
      run.parentRunId ? h('div', { class: 'origin' }, 'Invoked by ', h('button', { class: 'link', onclick: () => this.host.openRun(run.parentRunId!) }, `run ${shortId(run.parentRunId)}`)) : null,
      run.reruns.length ? h('div', { class: 'origin', 'data-role': 'reruns' }, 'Replays: ', run.reruns.map((id, i) => [i ? ', ' : '', h('button', { class: 'link', onclick: () => this.host.openRun(id) }, `run ${shortId(id)}`)])) : null,
      run.hold ? h('div', { class: 'hold' }, holdText(run.hold)) : null,
      run.cancelReason ? h('div', { class: 'muted' }, `Cancelled: ${run.cancelReason}`) : null,
      run.error ? errorBlock(run.error) : null,
      pending.length ? h('div', { class: 'pending-edits', role: 'status' }, icon('edit'), ` The next replay uses: ${pending.join(', ')}. `, h('button', { class: 'link', onclick: () => { this.edits = { stepOutputs: {} }; this.render(); } }, 'Discard edits')) : null,
      this.busy ? h('div', { class: 'progress', role: 'status' }, h('span', { class: 'progress-bar' }), `${this.busy}…`) : null,
      this.message ? h('div', { class: this.message.error ? 'error-text' : 'muted', role: 'alert' }, this.message.text) : null);

    const tabs = h('div', { class: 'tabs', role: 'tablist' },
      (['timeline', 'stepper'] as const).map((t) => h('button', {
        role: 'tab', class: 'tab', 'aria-selected': String(this.tab === t), tabindex: this.tab === t ? 0 : -1, 'data-tab': t,
        onclick: () => this.switchTab(t),
        onkeydown: (e: KeyboardEvent) => {
          if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
            e.preventDefault();
            this.switchTab(this.tab === 'timeline' ? 'stepper' : 'timeline');
            this.el.querySelector<HTMLElement>(`[data-tab=${this.tab}]`)?.focus();
          }
        },
      }, t === 'timeline' ? 'Timeline' : `Stepper (${run.exchanges.length})`)));

    let body: HTMLElement;
    if (this.tab === 'timeline') {
      this.stepper = null;
      body = timeline(run, timelineItems(run), this.selected, {
        select: (s) => { this.selected = s.hashedId; this.host.selectedStep(run.id, s.hashedId); this.render(); },
        openRun: (id) => this.host.openRun(id),
        skipSleep: (s) => void this.act('Skip sleep', () => this.host.skipSleep(run, s)),
        resolveWait: (s) => this.host.resolveWait(run, s),
      });
    } else {
      this.stepper = new Stepper(run, {
        moved: (i, s) => {
          this.stepperIndex = i;
          if (s) this.selected = s.hashedId;
          this.host.highlight(run, s);
        },
      }, this.stepperIndex);
      body = this.stepper.el;
    }

    const sel = this.step(this.selected);
    const detail = sel && this.tab === 'timeline'
      ? stepDetail(run, sel, {
        goToSource: (s) => this.host.goToSource(run, s),
        sourceText: (s) => this.host.sourceText(run, s),
        replayFrom: (s) => this.replay(s.hashedId),
        editOutput: (s) => { this.editor = { kind: 'output', hashedId: s.hashedId }; this.render(); },
        openRun: (id) => this.host.openRun(id),
        editedOutput: (s) => (s.hashedId in this.edits.stepOutputs ? { value: this.edits.stepOutputs[s.hashedId] } : undefined),
      })
      : null;

    replace(this.el, header, this.editorEl(run), tabs, h('div', { class: 'run-body' }, body), detail);
    if (focusedInTimeline) this.el.querySelector<HTMLElement>('.tl-row.selected')?.focus();
    if (stepperFocused) this.stepper?.el.focus();
  }

  private editorEl(run: RunDetail): HTMLElement | null {
    const ed = this.editor;
    if (!ed) {
      this.editorNode = null;
      return null;
    }
    const key = `${run.id}|${ed.kind}|${ed.kind === 'output' ? ed.hashedId : ''}`;
    if (this.editorNode?.key === key) return this.editorNode.el;
    const step = ed.kind === 'output' ? this.step(ed.hashedId) : undefined;
    const initial = ed.kind === 'payload'
      ? this.edits.eventData ?? run.event?.data ?? {}
      : ed.hashedId in this.edits.stepOutputs ? this.edits.stepOutputs[ed.hashedId] : unwrapOutput(step?.output);
    const area = h('textarea', { class: 'json-editor', rows: 8, spellcheck: 'false', 'aria-label': ed.kind === 'payload' ? 'Edited event data' : 'Edited step output' });
    area.value = JSON.stringify(initial, null, 2) ?? 'null';
    const problem = h('div', { class: 'error-text', role: 'alert' });
    const save = () => {
      const p = parseJson(area.value);
      if (!p.ok) {
        problem.textContent = p.message;
        return;
      }
      if (ed.kind === 'payload') {
        if (!p.value || typeof p.value !== 'object' || Array.isArray(p.value)) {
          problem.textContent = 'The event data must be a JSON object.';
          return;
        }
        this.edits.eventData = p.value as Record<string, unknown>;
      } else this.edits.stepOutputs[ed.hashedId] = p.value;
      this.editor = null;
      this.render();
    };
    area.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(); }
      if (e.key === 'Escape') { this.editor = null; this.render(); }
    });
    queueMicrotask(() => area.focus());
    const el = h('div', { class: 'inline-editor', role: 'group', 'aria-label': 'Edit for the next replay' },
      h('div', { class: 'muted' }, ed.kind === 'payload' ? 'Edit the event data the replay starts from (the original run is not changed).' : `Edit the output of step ${step?.displayName ?? ed.hashedId} for the next replay (from a later step).`),
      area, problem,
      h('div', { class: 'row-actions' },
        h('button', { class: 'btn', onclick: save }, 'Use for next replay'),
        h('button', { class: 'btn secondary', onclick: () => { this.editor = null; this.render(); } }, 'Close')));
    this.editorNode = { key, el };
    return el;
  }
}

/** What a re-render would show differently (statuses, timings, counts, outputs' presence). */
function fingerprint(r: RunDetail): string {
  const steps = r.steps.map((s) => `${s.hashedId}:${s.status}:${s.endedAt ?? ''}:${s.attempts.length}:${s.memoizedFrom ?? ''}`).join(',');
  return `${r.status}|${r.endedAt ?? ''}|${r.requestCount}|${r.exchanges.length}|${r.reruns.join(',')}|${r.hold?.rule ?? ''}|${steps}`;
}
