// cancelOn and timeouts (PROTOCOL §8, §11).
//
// cancelOn: the SDK registers `cancel: [{event, if?, timeout?}]` (its `match: "data.x"` already
// compiled into `if: "event.data.x == async.data.x"`). When a run is created, one pause is made per
// entry (at most 5): `event.*` in `if` is replaced by the triggering event's values, so the pause
// keeps only `async.*` references. A later event with that name whose `if` is true cancels the run.
// A pause expires `timeout` after creation (default 1 year). If the interpolated `if` is constant
// false, no pause is made; if it is constant true, any later event of that name cancels.
//
// timeouts.start cancels a run that has not started within the duration of being queued;
// timeouts.finish cancels one that has not finished within the duration of starting.

import { ExpressionError, interpolateEvent, type ExprEvaluator } from './expr';
import { eventVar } from './keys';
import { formatDuration, type FlowEvent } from './types';

export const CANCEL_DEFAULT_TIMEOUT_MS = 365 * 24 * 60 * 60 * 1000;
export const MAX_CANCELLATIONS = 5;

export interface CancelConfig {
  event: string;
  if?: string;
  timeoutMs: number;
}

export interface CancelPause {
  id: string;
  runId: string;
  fnId: string;
  /** Event name that cancels. */
  event: string;
  /** Interpolated expression over `async` only; absent = any event of that name. */
  expr?: string;
  /** The run's creation time; only events received at or after it count. */
  createdAt: number;
  expiresAt: number;
  /** The triggering event's ids: it never cancels its own run. */
  triggerIds: string[];
}

export interface CancelMatch {
  runId: string;
  pause: CancelPause;
  reason: string;
}

/** Makes the pauses for a new run. Expressions were validated at sync; a failure here is reported, not thrown. */
export function createCancelPauses(
  runId: string,
  fnId: string,
  cancels: CancelConfig[],
  trigger: FlowEvent,
  now: number,
  evaluator: ExprEvaluator,
): { pauses: CancelPause[]; warnings: string[] } {
  const pauses: CancelPause[] = [];
  const warnings: string[] = [];
  cancels.slice(0, MAX_CANCELLATIONS).forEach((c, i) => {
    let expr: string | undefined;
    if (c.if !== undefined && c.if.trim() !== '') {
      try {
        expr = interpolateEvent(c.if, eventVar(trigger));
        const compiled = evaluator.compile(expr);
        if (!compiled.usesAsync) {
          const constant = compiled.evaluate({});
          if (constant === false || constant === null) return; // never matches: no pause (PROTOCOL §11)
          if (constant === true) expr = undefined;
        }
      } catch (err) {
        const reason = err instanceof ExpressionError ? err.reason : String(err);
        warnings.push(`cancel[${i}].if ${JSON.stringify(c.if)} could not be prepared (${reason}); no cancellation pause for it`);
        return;
      }
    }
    pauses.push({
      id: `${runId}:cancel:${i}`,
      runId,
      fnId,
      event: c.event,
      ...(expr !== undefined ? { expr } : {}),
      createdAt: now,
      expiresAt: now + c.timeoutMs,
      triggerIds: [...new Set([trigger.id, trigger.internalId ?? trigger.id])],
    });
  });
  return { pauses, warnings };
}

/** Holds the live cancellation pauses and matches incoming events against them. */
export class CancelMatcher {
  private readonly byEvent = new Map<string, CancelPause[]>();

  constructor(
    private readonly evaluator: ExprEvaluator,
    pauses: CancelPause[] = [],
  ) {
    this.add(pauses);
  }

  add(pauses: CancelPause[]): void {
    for (const p of pauses) {
      const list = this.byEvent.get(p.event) ?? [];
      list.push(p);
      this.byEvent.set(p.event, list);
    }
  }

  /** Drops a run's pauses (it finished, or was cancelled). */
  removeRun(runId: string): void {
    for (const [name, list] of this.byEvent) {
      const rest = list.filter((p) => p.runId !== runId);
      if (rest.length) this.byEvent.set(name, rest);
      else this.byEvent.delete(name);
    }
  }

  rebind(fromId: string, toId: string): void {
    for (const list of this.byEvent.values()) {
      for (let i = 0; i < list.length; i++) {
        const p = list[i]!;
        if (p.runId === fromId) list[i] = { ...p, runId: toId, id: p.id.replace(fromId, toId) };
      }
    }
  }

  /**
   * Runs that `event` cancels. Only events received at or after the run's creation count, never the
   * run's own trigger, and expired pauses are dropped. Matched pauses are consumed.
   */
  match(event: FlowEvent, now: number): { matches: CancelMatch[]; warnings: string[] } {
    const list = this.byEvent.get(event.name);
    const matches: CancelMatch[] = [];
    const warnings: string[] = [];
    if (!list) return { matches, warnings };
    const received = event.receivedAt ?? event.ts;
    const keep: CancelPause[] = [];
    for (const p of list) {
      if (p.expiresAt <= now) continue;
      if (received < p.createdAt || p.triggerIds.includes(event.id) || (event.internalId && p.triggerIds.includes(event.internalId))) {
        keep.push(p);
        continue;
      }
      let ok = true;
      if (p.expr !== undefined) {
        try {
          ok = this.evaluator.compile(p.expr).evaluate({ async: eventVar(event) }) === true;
        } catch (err) {
          ok = false;
          warnings.push(`cancel pause for run ${p.runId}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (ok && !matches.some((m) => m.runId === p.runId)) {
        matches.push({ runId: p.runId, pause: p, reason: `cancelled by event ${event.name} (${event.id})${p.expr ? ` matching ${p.expr}` : ''}` });
      } else if (!ok) keep.push(p);
    }
    if (keep.length) this.byEvent.set(event.name, keep);
    else this.byEvent.delete(event.name);
    for (const m of matches) this.removeRun(m.runId);
    return { matches, warnings };
  }

  /** All live pauses (persist these; rebuild the matcher from them after a restart). */
  pauses(now?: number): CancelPause[] {
    const all = [...this.byEvent.values()].flat();
    return now === undefined ? all : all.filter((p) => p.expiresAt > now);
  }
}

export interface TimeoutsConfig {
  startMs?: number;
  finishMs?: number;
}

/** When a queued run must have started by, or undefined. */
export function startDeadline(queuedAt: number, t: TimeoutsConfig): number | undefined {
  return t.startMs === undefined ? undefined : queuedAt + t.startMs;
}

/** When a started run must have finished by, or undefined. */
export function finishDeadline(startedAt: number, t: TimeoutsConfig): number | undefined {
  return t.finishMs === undefined ? undefined : startedAt + t.finishMs;
}

export function timeoutReason(kind: 'start' | 'finish', t: TimeoutsConfig): string {
  return kind === 'start'
    ? `timeouts.start: not started within ${formatDuration(t.startMs ?? 0)} of being queued`
    : `timeouts.finish: not finished within ${formatDuration(t.finishMs ?? 0)} of starting`;
}
