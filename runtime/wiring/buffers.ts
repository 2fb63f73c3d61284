// Events held by a debounce or a batch before their run exists (executor audit F6). Flow control
// owns the open buffers (its persisted state); this turns its changes into `buffer.updated` stream
// messages, records which run took each event once the run starts (the `run_events` table: a batch's
// 2nd..nth events, the events a debounce merged), and remembers lately dropped buffers for the event
// view. Routes.event reads it through `forEvent`.
import type { EventBuffer } from '../api';
import type { EventBus } from '../bus';
import type { BufferChange } from '../flow/glue';
import type { FlowControl, PendingBuffer } from '../flow/index';
import type { FunctionRegistry } from '../functions';
import type { Store } from '../store/store';

/** Dropped buffers kept in memory for the event view (nothing durable: no run came of them). */
const ENDED_KEPT = 200;

export interface EventBuffersDeps {
  store: Store;
  bus: EventBus;
  functions: FunctionRegistry;
}

export class EventBuffers {
  private readonly dropped: EventBuffer[] = [];
  /** Set once the FlowControl exists (the glue may report changes while it is being built). */
  flow: FlowControl | undefined;

  constructor(private readonly d: EventBuffersDeps) {}

  readonly onBuffer = (c: BufferChange): void => {
    const b = this.view(c.buffer, c.kind === 'open' ? 'open' : c.kind);
    if (c.kind === 'started') {
      b.runId = c.runId;
      this.d.store.tx(() => this.link(c.buffer, c.runId));
    } else if (c.kind === 'dropped') {
      b.reason = c.reason;
      this.dropped.push(b);
      if (this.dropped.length > ENDED_KEPT) this.dropped.splice(0, this.dropped.length - ENDED_KEPT);
    }
    this.d.bus.emit({ type: 'buffer.updated', buffer: b });
  };

  /** Buffers holding the event now, and the ones that dropped it lately. */
  forEvent(eventId: string): EventBuffer[] {
    const open = (this.flow?.pendingBuffers() ?? []).filter((b) => b.eventIds.includes(eventId)).map((b) => this.view(b, 'open'));
    return [...open, ...this.dropped.filter((b) => b.eventIds.includes(eventId))];
  }

  /** Every event of a started buffer points at its run (the run's own trigger is runs.event_id). */
  private link(b: PendingBuffer, runId: string): void {
    const ids = b.eventIds;
    if (b.rule === 'batchEvents') {
      ids.forEach((eventId, i) => this.d.store.putEventLink({ eventId, runId, role: 'batch', position: i + 1, of: ids.length }));
      return;
    }
    const last = ids[ids.length - 1];
    for (const eventId of ids.slice(0, -1)) this.d.store.putEventLink({ eventId, runId, role: 'debounced', ...(last ? { runEventId: last } : {}) });
  }

  private view(b: PendingBuffer, state: EventBuffer['state']): EventBuffer {
    return {
      id: b.id,
      rule: b.rule,
      functionId: b.fnId,
      functionName: this.d.functions.get(b.fnId)?.name ?? b.fnId,
      key: b.key,
      eventIds: [...b.eventIds],
      count: b.count,
      ...(b.maxSize !== undefined ? { maxSize: b.maxSize } : {}),
      openedAt: b.openedAt,
      startsAt: b.startsAt,
      state,
    };
  }
}
