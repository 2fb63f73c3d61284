// Evaluating key expressions against an event. A key that fails to evaluate (a runtime CEL error,
// e.g. a ternary on a missing field) falls back to the shared bucket '' and reports a warning, so a
// bad event never blocks the executor; compile errors are caught earlier, at sync (config.ts).

import { ExpressionError, keyString, type CompiledExpr } from './expr';
import type { FlowEvent } from './types';

export interface KeyResult {
  key: string;
  warning?: string;
}

/** The event as CEL sees it (`event.name`, `event.data`, `event.ts`, `event.id`, `event.user`). */
export function eventVar(e: FlowEvent): Record<string, unknown> {
  return { id: e.id, name: e.name, data: e.data ?? {}, user: e.user ?? {}, ts: e.ts, ...(e.v !== undefined ? { v: e.v } : {}) };
}

export function evalKey(expr: CompiledExpr | undefined, event: FlowEvent, what: string): KeyResult {
  if (!expr) return { key: '' };
  try {
    return { key: keyString(expr.evaluate({ event: eventVar(event) })) };
  } catch (err) {
    const reason = err instanceof ExpressionError ? err.reason : String(err);
    return { key: '', warning: `${what} key ${JSON.stringify(expr.source)} failed on event ${e2s(event)} (${reason}); using the shared key` };
  }
}

export function evalBool(expr: CompiledExpr, event: FlowEvent, what: string): { value: boolean; warning?: string } {
  try {
    return { value: expr.evaluate({ event: eventVar(event) }) === true };
  } catch (err) {
    const reason = err instanceof ExpressionError ? err.reason : String(err);
    return { value: false, warning: `${what} ${JSON.stringify(expr.source)} failed on event ${e2s(event)} (${reason}); treated as false` };
  }
}

function e2s(e: FlowEvent): string {
  return `${e.name} ${e.id}`;
}
