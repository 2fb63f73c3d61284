// Records -> the shapes of api.ts.
import type { EventRecord, RunPause, RunSummary, V1Event, V1Run } from '../api';
import type { RunRecord, StoredEvent } from '../model';
import type { ActiveRun } from './engine';

export function runSummary(r: RunRecord): RunSummary {
  return {
    id: r.id,
    functionId: r.functionId,
    functionName: r.functionName,
    appId: r.appId,
    status: r.status,
    eventId: r.eventIds[0] ?? null,
    eventName: r.eventName,
    queuedAt: r.queuedAt,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    output: r.output,
    error: r.error,
    cancelReason: r.cancelReason,
    stepCount: r.stepCount,
    requestCount: r.requestCount,
    parentRunId: r.parentRunId,
    rerunOf: r.rerunOf,
    hold: r.hold,
    ...(r.status === 'Running' && r.paused ? { paused: r.paused } : {}),
  };
}

export function v1Run(r: RunRecord): V1Run {
  return {
    run_id: r.id,
    function_id: r.functionId,
    event_id: r.eventIds[0] ?? null,
    status: r.status === 'Queued' ? 'Running' : r.status,
    output: r.status === 'Completed' ? (r.output ?? null) : r.status === 'Failed' ? (r.error ?? null) : null,
    run_started_at: new Date(r.startedAt ?? r.queuedAt).toISOString(),
    ended_at: r.endedAt !== undefined ? new Date(r.endedAt).toISOString() : null,
  };
}

export function eventRecord(e: StoredEvent, runIds?: string[]): EventRecord {
  return {
    id: e.id,
    internalId: e.internalId,
    name: e.event.name,
    data: e.event.data,
    user: e.event.user,
    ts: e.event.ts,
    v: e.event.v,
    receivedAt: e.receivedAt,
    runIds,
  };
}

export function v1Event(e: StoredEvent): V1Event {
  return {
    id: e.internalId,
    internal_id: e.internalId,
    name: e.event.name,
    data: e.event.data,
    user: e.event.user,
    ts: e.event.ts,
    received_at: new Date(e.receivedAt).toISOString(),
  };
}

/** What a running run waits on now (RunSummary.paused), from its steps; undefined while anything moves. */
export function pausedOn(ar: Pick<ActiveRun, 'inflight' | 'steps'>): RunPause | undefined {
  if (ar.inflight.size > 0) return undefined;
  let best: RunPause | undefined;
  for (const s of ar.steps.values()) {
    let p: RunPause | undefined;
    switch (s.status) {
      case 'planned':
      case 'running':
      case 'retrying':
        return undefined;
      case 'sleeping':
        if (s.sleep) p = { kind: 'sleep', step: s.userId, until: s.sleep.until };
        break;
      case 'waiting':
        if (s.wait) p = { kind: 'waitForEvent', step: s.userId, until: s.wait.expiresAt, on: s.wait.event };
        else if (s.invoke) p = { kind: 'invoke', step: s.userId, until: s.invoke.expiresAt, on: s.invoke.functionId };
        else if (s.signal) p = { kind: 'signal', step: s.userId, until: s.signal.expiresAt, on: s.signal.name };
        break;
      default:
        break;
    }
    if (p && (!best || (p.until ?? Infinity) < (best.until ?? Infinity))) best = p;
  }
  return best;
}
