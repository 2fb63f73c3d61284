// When the language server's connection closes: restart it, unless it has crashed too often
// lately (CONVENTIONS.md §10, "show failures, don't loop"). Pure, so it is tested in plain Node.

export type CloseDecision = { action: 'restart' } | { action: 'stop'; message: string };

export class RestartPolicy {
  private closes: number[] = [];

  constructor(
    private readonly max = 4,
    private readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one close and decides. After `max` closes within `windowMs`, it stops. */
  closed(): CloseDecision {
    const t = this.now();
    this.closes = this.closes.filter((c) => t - c < this.windowMs);
    this.closes.push(t);
    if (this.closes.length > this.max) {
      return {
        action: 'stop',
        message: `The Steplens language server stopped ${this.closes.length} times in ${Math.round(this.windowMs / 60000)} minutes and will not be restarted.`,
      };
    }
    return { action: 'restart' };
  }

  /** A read/write error on the connection: keep going for the first few, then shut down. */
  error(count: number | undefined): 'continue' | 'shutdown' {
    return count !== undefined && count <= 3 ? 'continue' : 'shutdown';
  }
}
