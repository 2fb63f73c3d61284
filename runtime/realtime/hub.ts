// The realtime hub: who listens to which (channel, topic), and delivery. In memory only, like the
// Go dev server's in-process broadcaster: a message published while nobody listens is dropped (no
// buffer, no replay), and looking that up is one Map read, so publishing stays cheap.

/** One connection (a WebSocket or an SSE response) that receives messages as JSON text. */
export interface Subscriber {
  readonly id: string;
  /** Sends one message (already JSON text). Must not throw. */
  send(text: string): void;
}

const key = (channel: string, topic: string): string => `${channel}\u0000${topic}`;

export class RealtimeHub {
  /** (channel, topic) -> subscribers. */
  private readonly byTopic = new Map<string, Set<Subscriber>>();
  /** channel -> subscriber -> how many of its topics are on that channel (for raw `publish/tee` writes). */
  private readonly byChannel = new Map<string, Map<Subscriber, number>>();
  /** subscriber -> its topic keys, to drop them all at once. */
  private readonly topicsOf = new Map<Subscriber, Map<string, string>>();
  published = 0;
  delivered = 0;

  get subscriberCount(): number {
    return this.topicsOf.size;
  }

  /** Listens to these topics (more may be added later; a topic given twice counts once). */
  subscribe(sub: Subscriber, topics: readonly { channel: string; name: string }[]): void {
    let mine = this.topicsOf.get(sub);
    if (!mine) this.topicsOf.set(sub, (mine = new Map()));
    for (const t of topics) {
      const k = key(t.channel, t.name);
      if (mine.has(k)) continue;
      mine.set(k, t.channel);
      let set = this.byTopic.get(k);
      if (!set) this.byTopic.set(k, (set = new Set()));
      set.add(sub);
      let ch = this.byChannel.get(t.channel);
      if (!ch) this.byChannel.set(t.channel, (ch = new Map()));
      ch.set(sub, (ch.get(sub) ?? 0) + 1);
    }
  }

  unsubscribe(sub: Subscriber, topics?: readonly { channel: string; name: string }[]): void {
    const mine = this.topicsOf.get(sub);
    if (!mine) return;
    const keys = topics ? topics.map((t) => key(t.channel, t.name)) : [...mine.keys()];
    for (const k of keys) {
      const channel = mine.get(k);
      if (channel === undefined) continue;
      mine.delete(k);
      const set = this.byTopic.get(k);
      set?.delete(sub);
      if (set && set.size === 0) this.byTopic.delete(k);
      const ch = this.byChannel.get(channel);
      if (ch) {
        const n = (ch.get(sub) ?? 1) - 1;
        if (n > 0) ch.set(sub, n);
        else ch.delete(sub);
        if (ch.size === 0) this.byChannel.delete(channel);
      }
    }
    if (mine.size === 0) this.topicsOf.delete(sub);
  }

  hasListeners(channel: string, topic: string): boolean {
    return this.byTopic.has(key(channel, topic));
  }

  /**
   * Delivers a message to everyone on (channel, topic); `text` is built only when someone listens.
   * Answers how many subscribers got it.
   */
  publish(channel: string, topic: string, text: () => string): number {
    this.published++;
    const set = this.byTopic.get(key(channel, topic));
    if (!set) return 0;
    const t = text();
    for (const s of set) s.send(t);
    this.delivered += set.size;
    return set.size;
  }

  /** Raw text to every subscriber of any topic on `channel` (Inngest's `publish/tee`). */
  writeRaw(channel: string, text: string): number {
    const ch = this.byChannel.get(channel);
    if (!ch) return 0;
    for (const s of ch.keys()) s.send(text);
    return ch.size;
  }

  clear(): void {
    this.byTopic.clear();
    this.byChannel.clear();
    this.topicsOf.clear();
  }
}
