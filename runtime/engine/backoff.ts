// When a failed queue item runs again (PROTOCOL §8).

const TABLE_S = [15, 30, 60, 120, 300, 600, 1200, 2400, 3600, 7200];

export interface RetryPolicy {
  /** `--retry-interval`: a fixed delay in ms instead of the table. */
  fixedMs?: number;
}

/** Delay before the retry that follows failed attempt `attempt` (0-based). */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfter: string | undefined, now: number): number {
  if (retryAfter !== undefined) {
    const ra = parseRetryAfter(retryAfter, now);
    if (ra !== null) return Math.min(Math.max(ra, 1000), 24 * 3600 * 1000);
  }
  if (policy.fixedMs !== undefined) return policy.fixedMs;
  const s = TABLE_S[Math.min(attempt, TABLE_S.length - 1)]!;
  return s * 1000;
}

/** `retry-after` is seconds or an HTTP/ISO date. */
export function parseRetryAfter(v: string, now: number): number | null {
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const d = Date.parse(t);
  return Number.isNaN(d) ? null : d - now;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses the SDK's duration strings (`1h30m`, `10s`, `2d`) to ms; null when unreadable. */
export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (s === '') return null;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (m.index !== consumed) return null;
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = m.index + m[0].length;
  }
  return consumed === s.length && consumed > 0 ? total : null;
}
