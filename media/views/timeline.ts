// The waterfall: one row per step on a shared time axis. Steps planned together (one SDK answer
// with several ops) form a parallel group; retries are sub-rows with their errors; sleeps are
// dashed spans ("wakes in 23 h" + Skip); waits say what they wait for and until when (+ Resolve);
// invokes link to the child run.
import type { RunDetail, StepInfo } from '../../runtime/api';
import { h } from '../dom';
import { attemptNote, clock, deadline, duration, holdText, relative, shortId } from '../format';
import { stepStatusIcon } from './status';

export interface TimelineActions {
  select(step: StepInfo): void;
  openRun(runId: string): void;
  skipSleep(step: StepInfo): void;
  resolveWait(step: StepInfo): void;
}

export interface TimelineItem {
  step: StepInfo;
  /** Index of the parallel group, when the step was planned alongside others. */
  group?: number;
}

/** Steps in display order, with parallel groups found from the SDK exchanges. */
export function timelineItems(run: RunDetail): TimelineItem[] {
  const groupOf = new Map<string, number>();
  let g = 0;
  for (const ex of run.exchanges) {
    // Steps the SDK planned together in one answer ran in parallel (checkpointed ones did not).
    const ids = [...new Set(ex.ops.filter((o) => o.op === 'StepPlanned' && o.hashedId).map((o) => o.hashedId))];
    if (ids.length > 1) {
      g++;
      for (const id of ids) if (!groupOf.has(id)) groupOf.set(id, g);
    }
  }
  const order = (s: StepInfo) => s.startedAt ?? s.attempts[0]?.startedAt ?? s.endedAt ?? Number.MAX_SAFE_INTEGER;
  const steps = [...run.steps].sort((a, b) => order(a) - order(b) || (a.stackIndex ?? 1e9) - (b.stackIndex ?? 1e9));
  // Keep each group's members together, at the place of its first member.
  const out: TimelineItem[] = [];
  const placed = new Set<number>();
  for (const s of steps) {
    const group = groupOf.get(s.hashedId);
    if (group === undefined) out.push({ step: s });
    else if (!placed.has(group)) {
      placed.add(group);
      for (const m of steps) if (groupOf.get(m.hashedId) === group) out.push({ step: m, group });
    }
  }
  return out;
}

const FIRST_ROWS = 60;
const CHUNK_ROWS = 120;

/**
 * When a step has no start of its own (a step checkpointed inline, or one that failed for good in
 * the call that discovered it), the SDK call that reported it gives its span.
 */
function spansFromExchanges(run: RunDetail): Map<string, { start: number; end: number }> {
  const out = new Map<string, { start: number; end: number }>();
  for (const ex of run.exchanges) {
    for (const o of ex.ops) if (o.hashedId && !out.has(o.hashedId) && o.op !== 'StepPlanned') out.set(o.hashedId, { start: ex.startedAt, end: ex.startedAt + ex.durationMs });
  }
  return out;
}

export function timeline(run: RunDetail, items: TimelineItem[], selected: string | null, actions: TimelineActions, now = Date.now()): HTMLElement {
  const fromExchanges = spansFromExchanges(run);
  const t0 = run.startedAt ?? run.queuedAt;
  let tEnd = run.endedAt ?? now;
  for (const s of run.steps) {
    tEnd = Math.max(tEnd, s.endedAt ?? 0);
    for (const a of s.attempts) tEnd = Math.max(tEnd, a.endedAt ?? 0);
  }
  const span = Math.max(1, tEnd - t0);
  const pos = (t: number) => Math.min(100, Math.max(0, ((t - t0) / span) * 100));
  const bar = (start: number, end: number, cls: string, label: string) => {
    const el = h('span', { class: `bar ${cls}`, title: label });
    el.style.left = `${pos(start)}%`;
    el.style.width = `max(2px, ${Math.max(0, pos(end) - pos(start))}%)`;
    return el;
  };

  const axis = h('div', { class: 'tl-axis', 'aria-hidden': 'true' }, h('span', { class: 'tl-label-col' }, `from ${clock(t0)}`));
  const ticks = h('span', { class: 'tl-ticks' });
  for (let i = 0; i <= 4; i++) {
    const tick = h('span', { class: 'tick' }, i === 0 ? '0' : `+${duration((span * i) / 4)}`);
    tick.style.left = `${i * 25}%`;
    ticks.append(tick);
  }
  axis.append(ticks);

  const grid = h('div', { class: 'timeline', role: 'grid', 'aria-label': 'Steps on a time axis', 'aria-rowcount': items.length });
  grid.append(axis);
  let lastGroup: number | undefined;
  // Rows beyond the first screenful are built in chunks after the first paint, so a 500-step run
  // opens as fast as a 5-step one (and rows use content-visibility so off-screen ones cost little).
  const buildRow = (i: number) => {
    const { step: s, group } = items[i];
    if (group !== undefined && group !== lastGroup) {
      const size = items.filter((x) => x.group === group).length;
      grid.append(h('div', { class: 'tl-group-head', role: 'presentation' }, `Parallel · ${size} steps`));
    }
    lastGroup = group;
    // A retried step spans from its first attempt.
    const firstAttempt = s.attempts.length ? Math.min(...s.attempts.map((a) => a.startedAt)) : undefined;
    const start = (firstAttempt !== undefined && s.startedAt !== undefined ? Math.min(firstAttempt, s.startedAt) : s.startedAt ?? firstAttempt) ?? fromExchanges.get(s.hashedId)?.start;
    const end = s.endedAt ?? (s.status === 'running' || s.status === 'sleeping' || s.status === 'waiting' ? now : fromExchanges.get(s.hashedId)?.end ?? start);
    const bars = h('span', { class: 'tl-bars', role: 'gridcell' });
    const notes: (HTMLElement | string)[] = [];
    // Buttons come first in the note so they are never cut off by a long text.
    const actionsEls: HTMLElement[] = [];
    if (start !== undefined && end !== undefined) {
      if (s.kind === 'sleep') {
        const until = s.sleep?.until;
        const endAt = s.status === 'sleeping' ? tEnd : end;
        bars.append(bar(start, endAt, `sleep${s.status === 'sleeping' ? ' open' : ''}`, 'sleep'));
        if (s.status === 'sleeping' && until) {
          notes.push(`wakes ${relative(until, now)}`);
          actionsEls.push(h('button', { class: 'btn small', onclick: (e: Event) => { e.stopPropagation(); actions.skipSleep(s); } }, 'Skip'));
        }
      } else if (s.kind === 'waitForEvent') {
        bars.append(bar(start, s.status === 'waiting' ? tEnd : end, `wait${s.status === 'waiting' ? ' open' : ''}`, 'wait'));
        if (s.wait) notes.push(`${s.status === 'waiting' ? 'waits for' : 'waited for'} ${s.wait.event}${s.wait.if ? ` if ${s.wait.if}` : ''} until ${deadline(s.wait.expiresAt, now)}`);
        if (s.wait?.earlier) notes.push(`a matching ${s.wait.event} arrived ${s.wait.earlier.msBefore} ms before this wait began: waits only see later events`);
        if (s.status === 'waiting') actionsEls.push(h('button', { class: 'btn small', onclick: (e: Event) => { e.stopPropagation(); actions.resolveWait(s); } }, 'Resolve'));
      } else {
        bars.append(bar(start, end, `st-${s.status}${s.memoizedFrom ? ' memo' : ''}`, `${s.displayName}: ${s.status}`));
      }
    }
    if (s.kind === 'invoke' && s.invoke) {
      const child = s.invoke.childRunId;
      notes.push(`invokes ${s.invoke.functionId}`);
      if (child) notes.push(h('button', { class: 'link', onclick: (e: Event) => { e.stopPropagation(); actions.openRun(child); } }, `run ${shortId(child)}`));
    }
    if (s.memoizedFrom) notes.push(h('span', { class: 'tag' }, `memoized from run ${shortId(s.memoizedFrom)}`));
    const dur = start !== undefined && s.endedAt !== undefined ? duration(s.endedAt - start) : '';
    const row = h('div', {
      class: `tl-row${s.hashedId === selected ? ' selected' : ''}${group !== undefined ? ' in-group' : ''}${s.status === 'failed' ? ' failed' : ''}`,
      role: 'row', 'aria-rowindex': i + 1, 'aria-selected': String(s.hashedId === selected), tabindex: s.hashedId === selected || (!selected && i === 0) ? 0 : -1,
      'data-step-id': s.userId, 'data-hashed-id': s.hashedId, 'data-status': s.status,
      onclick: () => actions.select(s),
    },
    h('span', { class: 'tl-label', role: 'rowheader' }, stepStatusIcon(s.status), h('span', { class: 'tl-name' }, s.displayName || s.userId), h('span', { class: 'tl-kind muted' }, s.kind === 'run' ? '' : s.kind)),
    bars,
    h('span', { class: 'tl-note', role: 'gridcell' }, actionsEls, dur ? h('span', { class: 'muted' }, dur) : null, s.attempts.length > 1 ? h('span', { class: 'muted' }, ` · ${s.attempts.length} attempts`) : null, notes.map((n) => [' ', n])));
    grid.append(row);
    // Retries: one sub-row per attempt, with its error.
    if (s.attempts.length > 1) {
      for (const a of s.attempts) {
        const sub = h('span', { class: 'tl-bars', role: 'gridcell' });
        if (a.endedAt !== undefined || s.status === 'running' || s.status === 'retrying') sub.append(bar(a.startedAt, a.endedAt ?? now, a.error ? 'st-failed' : 'st-completed', `attempt ${a.attempt + 1}`));
        grid.append(h('div', { class: 'tl-row tl-attempt', role: 'row', 'data-attempt': a.attempt },
          h('span', { class: 'tl-label muted', role: 'rowheader' }, `attempt ${a.attempt + 1}`),
          sub,
          h('span', { class: `tl-note ${a.error ? 'error-text' : 'muted'}`, role: 'gridcell' }, attemptNote(a))));
      }
    }
  };
  const selectedIndex = selected ? items.findIndex((x) => x.step.hashedId === selected) : -1;
  let built = Math.min(items.length, Math.max(FIRST_ROWS, selectedIndex + 1));
  for (let i = 0; i < built; i++) buildRow(i);
  const more = () => {
    if (!grid.isConnected && built > FIRST_ROWS) return; // replaced by a newer render
    const end = Math.min(items.length, built + CHUNK_ROWS);
    for (; built < end; built++) buildRow(built);
    // Start after the first paint, so the rows in view show first.
  if (built < items.length) requestAnimationFrame(() => setTimeout(more, 0));
  };
  // Start after the first paint, so the rows in view show first.
  if (built < items.length) requestAnimationFrame(() => setTimeout(more, 0));
  if (items.length === 0) grid.append(h('div', { class: 'empty-hint' }, run.status === 'Queued' ? `Queued${run.hold ? ` (${holdText(run.hold)})` : ''}` : 'No steps yet.'));
  grid.addEventListener('keydown', (e) => {
    const rows = [...grid.querySelectorAll<HTMLElement>('.tl-row:not(.tl-attempt)')];
    const cur = rows.indexOf(document.activeElement as HTMLElement);
    const next = e.key === 'ArrowDown' ? rows[cur + 1] : e.key === 'ArrowUp' ? rows[cur - 1] : undefined;
    if (next) {
      e.preventDefault();
      next.focus();
      next.click();
    } else if (e.key === 'Enter' && cur >= 0) rows[cur].click();
  });
  return grid;
}
