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
