// priority.run: a CEL expression on the triggering event giving a factor in seconds, clamped to
// ±43200 (12 h). A run with factor N is ordered as if it had been enqueued N seconds earlier
// (negative: later). It changes which queued work goes next; it never pre-empts (PROTOCOL §11, §12).

import { ExpressionError, type CompiledExpr } from './expr';
import { eventVar } from './keys';
import type { FlowEvent } from './types';

export const PRIORITY_MAX_SECONDS = 43_200;

export function clampPriority(n: number): number {
  if (!Number.isFinite(n)) return 0;
  return Math.max(-PRIORITY_MAX_SECONDS, Math.min(PRIORITY_MAX_SECONDS, Math.trunc(n)));
}

/** The factor in seconds for a run; 0 (with a warning) when the expression fails or is not a number. */
export function priorityFactor(expr: CompiledExpr | undefined, event: FlowEvent): { seconds: number; warning?: string } {
  if (!expr) return { seconds: 0 };
  let v: unknown;
  try {
    v = expr.evaluate({ event: eventVar(event) });
  } catch (err) {
    const reason = err instanceof ExpressionError ? err.reason : String(err);
    return { seconds: 0, warning: `priority.run ${JSON.stringify(expr.source)} failed (${reason}); using 0` };
  }
  if (typeof v !== 'number') {
    return { seconds: 0, warning: `priority.run ${JSON.stringify(expr.source)} gave ${v === null ? 'null' : typeof v}, not a number of seconds; using 0` };
  }
  return { seconds: clampPriority(v) };
}

/** The ordering value of queued work: lower runs first. */
export function effectiveTime(enqueuedAt: number, factorSeconds: number): number {
  return enqueuedAt - clampPriority(factorSeconds) * 1000;
}

export interface Prioritized {
  enqueuedAt: number;
  priority: number;
}

/** Sort comparator for queued items: priority-adjusted time, then enqueue time (FIFO among equals). */
export function compareQueued(a: Prioritized, b: Prioritized): number {
  return effectiveTime(a.enqueuedAt, a.priority) - effectiveTime(b.enqueuedAt, b.priority) || a.enqueuedAt - b.enqueuedAt;
}
