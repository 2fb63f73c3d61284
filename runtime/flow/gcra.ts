// Generic cell rate algorithm, as a pure function over one stored number per key: the theoretical
// arrival time (TAT). `emission` is the spacing of admissions at the steady rate (period / limit);
// `capacity` is how many may be admitted at once from an idle key. An admission at `now` conforms
// when max(tat, now) + emission - now <= capacity * emission; it then moves the TAT on by one emission.
//
// Two callers (facts in runtime/flow/README.md):
// - throttle: capacity = limit + burst (as Inngest's throttling page documents), excess is delayed;
// - rateLimit: capacity = floor(limit / 10) + 1 (Inngest's rate limiter passes burst = limit/10 to a
//   GCRA whose immediate capacity is burst + 1), excess is skipped.

export interface GcraParams {
  /** Period in ms. */
  periodMs: number;
  limit: number;
  /** Admissions allowed at once from an idle key (>= 1). */
  capacity: number;
}

export interface GcraVerdict {
  /** Whether an admission at `now` conforms. */
  allowed: boolean;
  /** Earliest instant an admission conforms (== now when allowed). */
  at: number;
  /** The TAT after admitting at `at` (store it only if you admit). */
  nextTat: number;
  /** Admissions left at `now` after this one (0 when not allowed). */
  remaining: number;
}

export function emissionOf(p: GcraParams): number {
  return p.periodMs / Math.max(1, p.limit);
}

/** Checks one admission at `now` against a stored TAT (undefined for an idle key). Pure. */
export function gcra(p: GcraParams, tat: number | undefined, now: number): GcraVerdict {
  const e = emissionOf(p);
  const tolerance = e * Math.max(1, p.capacity);
  const base = Math.max(tat ?? now, now);
  // Conforms when base + e - tolerance <= now.
  const allowAt = base + e - tolerance;
  const at = Math.max(now, allowAt);
  const nextTat = Math.max(tat ?? at, at) + e;
  const allowed = allowAt <= now;
  const remaining = allowed ? Math.max(0, Math.floor((tolerance - (nextTat - now)) / e)) : 0;
  return { allowed, at, nextTat, remaining };
}

/** Drops keys whose TAT is in the past: an idle key and a missing key behave the same. */
export function sweepTats(tats: Record<string, number>, now: number): void {
  for (const [k, t] of Object.entries(tats)) if (t <= now) delete tats[k];
}
