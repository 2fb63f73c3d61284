// A small in-process bus that numbers every ExecutorToClient message. The WebSocket stream
// (issue 4) subscribes here and replays from `since(seq)`; nothing else owns sequence numbers.
import type { ExecutorToClient } from './api';

/** A message before it gets its number. */
export type BusMessage = ExecutorToClient extends infer M
  ? M extends { seq: number }
    ? Omit<M, 'seq'>
    : never
  : never;

export type BusListener = (msg: ExecutorToClient) => void;

export class EventBus {
  private seq = 0;
  private readonly ring: ExecutorToClient[] = [];
  private readonly listeners = new Set<BusListener>();

  constructor(private readonly keep = 2000) {}

  get lastSeq(): number {
    return this.seq;
  }

  emit(msg: BusMessage): ExecutorToClient {
    const full = { ...msg, seq: ++this.seq } as ExecutorToClient;
    this.ring.push(full);
    if (this.ring.length > this.keep) this.ring.splice(0, this.ring.length - this.keep);
    for (const l of this.listeners) {
      try {
        l(full);
      } catch {
        // A listener's failure must never break the executor.
      }
    }
    return full;
  }

  /** Messages after `seq`, or `null` when some of them are no longer kept (send `resync`). */
  since(seq: number): ExecutorToClient[] | null {
    if (seq >= this.seq) return [];
    const first = this.ring[0];
    if (!first || first.seq > seq + 1) return null;
    return this.ring.filter((m) => m.seq > seq);
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
  }
}
