// singleton {key, mode: skip|cancel}: at most one active run per function and key value; a new run
// either is skipped (`skip`) or replaces the active one, which is cancelled (`cancel`) (PROTOCOL §12;
// Inngest singleton docs). The lock is held for the whole run, sleeps and waits included, and freed
// when the run finishes in any way.

import type { CompiledExpr } from './expr';
import { evalKey } from './keys';
import { showKey, type FlowEvent } from './types';

export interface SingletonConfig {
  mode: 'skip' | 'cancel';
  key?: CompiledExpr;
}

/** `${fnId}\0${key}` -> active run id. */
export type SingletonState = Record<string, string>;

export type SingletonVerdict =
  | { kind: 'free'; lock: string; key: string; warning?: string }
  | { kind: 'skip'; lock: string; key: string; activeRunId: string; reason: string; warning?: string }
  | { kind: 'replace'; lock: string; key: string; activeRunId: string; reason: string; warning?: string };

export class Singleton {
  constructor(private readonly state: SingletonState = {}) {}

  check(fnId: string, cfg: SingletonConfig, event: FlowEvent): SingletonVerdict {
    const { key, warning } = evalKey(cfg.key, event, 'singleton');
    const lock = `${fnId}\u0000${key}`;
    const w = warning ? { warning } : {};
    const active = this.state[lock];
    if (!active) return { kind: 'free', lock, key, ...w };
    if (cfg.mode === 'skip') {
      return { kind: 'skip', lock, key, activeRunId: active, reason: `singleton (skip): run ${active} is active for key ${showKey(key)}; this event starts nothing`, ...w };
    }
    return { kind: 'replace', lock, key, activeRunId: active, reason: `singleton (cancel): a newer event for key ${showKey(key)} replaced this run`, ...w };
  }

  acquire(lock: string, runId: string): void {
    this.state[lock] = runId;
  }

  /** Frees whatever lock the run holds. Returns whether it held one. */
  release(runId: string): boolean {
    let freed = false;
    for (const [k, v] of Object.entries(this.state)) {
      if (v === runId) {
        delete this.state[k];
        freed = true;
      }
    }
    return freed;
  }

  rebind(fromId: string, toId: string): void {
    for (const [k, v] of Object.entries(this.state)) if (v === fromId) this.state[k] = toId;
  }

  activeRun(fnId: string, key: string): string | undefined {
    return this.state[`${fnId}\u0000${key}`];
  }

  snapshot(): SingletonState {
    return { ...this.state };
  }
}
