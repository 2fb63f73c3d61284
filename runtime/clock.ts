// Time, injectable. Every timer in the executor (queue, sleeps, waits, polling) goes through a
// Clock so tests and issue 4 (replay, cron) can drive time by hand.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `cb` once at epoch ms `at` (immediately if `at` is past). */
  setTimer(at: number, cb: () => void): TimerHandle;
}

/** setTimeout cannot wait more than ~24.8 days; longer timers re-arm themselves. */
const MAX_DELAY = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, cb) {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = (): void => {
      const delay = at - Date.now();
      if (delay > MAX_DELAY) {
        handle = setTimeout(arm, MAX_DELAY);
      } else {
        handle = setTimeout(() => {
          if (!cancelled) cb();
        }, Math.max(0, delay));
      }
      handle.unref?.();
    };
    arm();
    return {
      cancel() {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  },
};

/**
 * A clock that only moves when told to (`advance`), for tests that must move time: timers due
 * at or before the new time fire in order of their due time, each seeing `now()` at its own time.
 * Starts just after a minute boundary so cron tests are predictable.
 */
export class ManualClock implements Clock {
  t = Math.ceil(Date.now() / 60_000) * 60_000 + 1000;
  private timers: { at: number; cb: () => void; live: boolean }[] = [];
  now = (): number => this.t;
  setTimer = (at: number, cb: () => void): TimerHandle => {
    const e = { at, cb, live: true };
    this.timers.push(e);
    if (at <= this.t) setImmediate(() => this.fire(e));
    return { cancel: () => void (e.live = false) };
  };
  private fire(e: { at: number; cb: () => void; live: boolean }): void {
    if (!e.live) return;
    e.live = false;
    e.cb();
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      this.fire(due);
    }
    this.t = end;
    this.timers = this.timers.filter((x) => x.live);
  }
}
