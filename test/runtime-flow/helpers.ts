// Test helpers for the flow-control modules: a fake clock and event factories.
import type { FlowEvent } from '../../runtime/flow/types';

export class FakeClock {
  constructor(public t = Date.UTC(2026, 10, 30, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
}

let seq = 0;
export function ev(name: string, data: Record<string, unknown> = {}, extra: Partial<FlowEvent> = {}): FlowEvent {
  seq += 1;
  const id = extra.id ?? `evt-${seq}`;
  const ts = extra.ts ?? Date.UTC(2026, 10, 30, 12, 0, 0) + seq;
  return { id, internalId: extra.internalId ?? `01INTERNAL${String(seq).padStart(8, '0')}`, name, data, ts, ...extra };
}

export function ids(prefix = 'run'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;
