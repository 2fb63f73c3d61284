// Typed access to the durable state. Every method is synchronous; callers group writes that
// belong together in `tx()` so one commit covers one engine decision.
import type { StepInfo } from '../api';
import type { AppRecord, FunctionRecord, PauseRecord, QueueItem, RunRecord, StoredEvent } from '../model';
import { Db, type Param, type Row } from './db';

const parse = <T>(s: unknown): T => JSON.parse(String(s)) as T;

/** JSON text of a value; `undefined` is stored as null (PROTOCOL §3.4). */
const json = (v: unknown): string => JSON.stringify(v === undefined ? null : v);

export interface RunFilter {
  functionId?: string;
  status?: string;
  eventId?: string;
  from?: number;
  to?: number;
  /** Exclusive upper bound (queuedAt, id) for paging newest-first. */
  before?: { at: number; id: string };
  limit: number;
}

/** A run that took an event, other than as its trigger (see Store.putEventLink). */
export interface EventLink {
  eventId: string;
  runId: string;
  role: 'batch' | 'debounced';
  position?: number;
  of?: number;
  runEventId?: string;
}

export class Store {
  readonly db: Db;

  constructor(dir: string) {
    this.db = new Db(dir);
  }

  tx<T>(fn: () => T): T {
    return this.db.tx(fn);
  }

  /** A transaction committed at the end of this event-loop turn (see Db.txDeferred). */
  txDeferred<T>(fn: () => T): T {
    return this.db.txDeferred(fn);
  }

  /** Resolves when the deferred decisions so far are committed (see Db.committed). */
  committed(): Promise<void> {
    return this.db.committed();
  }

  // --- events ---------------------------------------------------------------------------------
  putEvent(e: StoredEvent): void {
    this.db.run('INSERT OR IGNORE INTO events (internal_id, id, name, received_at, body) VALUES (?,?,?,?,?)', [
      e.internalId,
      e.id,
      e.event.name,
      e.receivedAt,
      JSON.stringify(e),
    ]);
  }
  getEvent(internalId: string): StoredEvent | undefined {
    const r = this.db.get('SELECT body FROM events WHERE internal_id = ?', [internalId]);
    return r ? parse<StoredEvent>(r.body) : undefined;
  }
  /** The first event carrying the sender id `id` received at or after `since`. */
  findEventById(id: string, since: number): StoredEvent | undefined {
    const r = this.db.get('SELECT body FROM events WHERE id = ? AND received_at >= ? ORDER BY received_at LIMIT 1', [id, since]);
    return r ? parse<StoredEvent>(r.body) : undefined;
  }
  listEvents(limit: number, before?: { at: number; id: string }, name?: string, after?: number): StoredEvent[] {
    const where: string[] = [];
    const p: Param[] = [];
    if (after !== undefined) {
      where.push('received_at > ?');
      p.push(after);
    }
    if (before) {
      where.push('(received_at < ? OR (received_at = ? AND internal_id < ?))');
      p.push(before.at, before.at, before.id);
    }
    if (name) {
      where.push('name = ?');
      p.push(name);
    }
    const sql = `SELECT body FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY received_at DESC, internal_id DESC LIMIT ?`;
    p.push(limit);
    return this.db.all(sql, p).map((r) => parse<StoredEvent>(r.body));
  }

  // --- runs -----------------------------------------------------------------------------------
  putRun(r: RunRecord): void {
    // An upsert that leaves the indexed columns alone unless they change (INSERT OR REPLACE
    // would delete and re-insert every index entry on each write).
    this.db.run('INSERT INTO runs (id, function_id, status, event_id, queued_at, body) VALUES (?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, body = excluded.body', [
      r.id,
      r.functionId,
      r.status,
      r.eventIds[0] ?? null,
      r.queuedAt,
      JSON.stringify(r),
    ]);
  }
  getRun(id: string): RunRecord | undefined {
    const r = this.db.get('SELECT body FROM runs WHERE id = ?', [id]);
    return r ? parse<RunRecord>(r.body) : undefined;
  }
  /**
   * Records that a run took an event other than as its trigger (a batch's events, the events a
   * debounce merged); runs.event_id covers the trigger. Written only for debounced and batched runs.
   */
  putEventLink(l: EventLink): void {
    this.db.run('INSERT OR REPLACE INTO run_events (event_id, run_id, role, position, of_count, run_event_id) VALUES (?,?,?,?,?,?)', [
      l.eventId,
      l.runId,
      l.role,
      l.position ?? null,
      l.of ?? null,
      l.runEventId ?? null,
    ]);
  }
  eventLinks(eventId: string): EventLink[] {
    return this.db.all('SELECT run_id, role, position, of_count, run_event_id FROM run_events WHERE event_id = ?', [eventId]).map((r) => ({
      eventId,
      runId: String(r.run_id),
      role: String(r.role) as EventLink['role'],
      ...(r.position !== null ? { position: Number(r.position) } : {}),
      ...(r.of_count !== null ? { of: Number(r.of_count) } : {}),
      ...(r.run_event_id !== null ? { runEventId: String(r.run_event_id) } : {}),
    }));
  }
  runIdsForEvent(internalId: string): string[] {
    return this.db.all('SELECT id FROM runs WHERE event_id = ? ORDER BY queued_at, id', [internalId]).map((r) => String(r.id));
  }
  listRuns(f: RunFilter): RunRecord[] {
    const where: string[] = [];
    const p: Param[] = [];
    if (f.functionId) {
      where.push('function_id = ?');
      p.push(f.functionId);
    }
    if (f.status) {
      where.push('status = ?');
      p.push(f.status);
    }
    if (f.eventId) {
      where.push('event_id = ?');
      p.push(f.eventId);
    }
    if (f.from !== undefined) {
      where.push('queued_at >= ?');
      p.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('queued_at <= ?');
      p.push(f.to);
    }
    if (f.before) {
      where.push('(queued_at < ? OR (queued_at = ? AND id < ?))');
      p.push(f.before.at, f.before.at, f.before.id);
    }
    p.push(f.limit);
    const sql = `SELECT body FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY queued_at DESC, id DESC LIMIT ?`;
    return this.db.all(sql, p).map((r) => parse<RunRecord>(r.body));
  }
  activeRunIds(): string[] {
    return this.db.all("SELECT id FROM runs WHERE status IN ('Queued','Running')").map((r) => String(r.id));
  }

  // --- steps ------------------------------------------------------------------------------------
  /** Saves a step's info and, when `value` is given, its memoized value at `stackIndex`. */
  putStep(runId: string, info: StepInfo, memo?: { value: unknown; stackIndex: number }): void {
    if (memo) {
      this.db.run('INSERT INTO steps (run_id, hashed_id, stack_index, value, info) VALUES (?,?,?,?,?) ON CONFLICT(run_id, hashed_id) DO UPDATE SET stack_index = excluded.stack_index, value = excluded.value, info = excluded.info', [
        runId,
        info.hashedId,
        memo.stackIndex,
        json(memo.value),
        JSON.stringify({ ...info, output: undefined }),
      ]);
    } else {
      this.db.run(
        'INSERT INTO steps (run_id, hashed_id, stack_index, value, info) VALUES (?,?,NULL,NULL,?) ON CONFLICT(run_id, hashed_id) DO UPDATE SET info = excluded.info',
        [runId, info.hashedId, JSON.stringify(info)],
      );
    }
  }
  /** Memoized values in stack (completion) order. */
  memoized(runId: string): { hashedId: string; value: unknown }[] {
    return this.db
      .all('SELECT hashed_id, value FROM steps WHERE run_id = ? AND stack_index IS NOT NULL ORDER BY stack_index', [runId])
      .map((r) => ({ hashedId: String(r.hashed_id), value: parse<unknown>(r.value) }));
  }
  /** Hashed ids of the memoized steps in stack (completion) order, without their values. */
  stack(runId: string): string[] {
    return this.db
      .all('SELECT hashed_id FROM steps WHERE run_id = ? AND stack_index IS NOT NULL ORDER BY stack_index', [runId])
      .map((r) => String(r.hashed_id));
  }
  stepInfos(runId: string): StepInfo[] {
    return this.db
      .all('SELECT info, value, stack_index FROM steps WHERE run_id = ? ORDER BY COALESCE(stack_index, 1e9), rowid', [runId])
      .map((r: Row) => {
        const info = parse<StepInfo>(r.info);
        if (r.stack_index !== null) info.output = parse<unknown>(r.value);
        return info;
      });
  }

  // --- exchanges --------------------------------------------------------------------------------
  putExchange(runId: string, seq: number, body: unknown): void {
    this.db.run('INSERT INTO exchanges (run_id, seq, body) VALUES (?,?,?) ON CONFLICT(run_id, seq) DO UPDATE SET body = excluded.body', [runId, seq, JSON.stringify(body)]);
  }
  /** The stored JSON text of each exchange, in order (spliced into answers as is). */
  exchangesRaw(runId: string): string[] {
    return this.db.all('SELECT body FROM exchanges WHERE run_id = ? ORDER BY seq', [runId]).map((r) => String(r.body));
  }
  /** Highest exchange seq stored for the run (in-flight records included). */
  maxExchangeSeq(runId: string): number | undefined {
    const r = this.db.get('SELECT MAX(seq) AS m FROM exchanges WHERE run_id = ?', [runId]);
    return r && r.m !== null && r.m !== undefined ? Number(r.m) : undefined;
  }
  /** Exchanges stored when their request left and never answered (see engine/interrupted.ts). */
  inFlightExchanges<T>(runId: string): T[] {
    return this.db.all(`SELECT body FROM exchanges WHERE run_id = ? AND body LIKE '{"inFlight":true%' ORDER BY seq`, [runId]).map((r) => parse<T>(r.body));
  }
  exchanges<T>(runId: string): T[] {
    return this.db.all('SELECT body FROM exchanges WHERE run_id = ? ORDER BY seq', [runId]).map((r) => parse<T>(r.body));
  }

  // --- queue --------------------------------------------------------------------------------------
  putQueueItem(q: QueueItem): void {
    this.db.run('INSERT INTO queue (id, run_id, body) VALUES (?,?,?) ON CONFLICT(id) DO UPDATE SET body = excluded.body', [q.id, q.runId, JSON.stringify(q)]);
  }
  deleteQueueItem(id: string): void {
    this.db.run('DELETE FROM queue WHERE id = ?', [id]);
  }
  deleteQueueForRun(runId: string): void {
    this.db.run('DELETE FROM queue WHERE run_id = ?', [runId]);
  }
  allQueueItems(): QueueItem[] {
    return this.db.all('SELECT body FROM queue').map((r) => parse<QueueItem>(r.body));
  }

  // --- pauses -------------------------------------------------------------------------------------
  putPause(p: PauseRecord): void {
    this.db.run('INSERT OR REPLACE INTO pauses (id, run_id, body) VALUES (?,?,?)', [p.id, p.runId, JSON.stringify(p)]);
  }
  deletePause(id: string): void {
    this.db.run('DELETE FROM pauses WHERE id = ?', [id]);
  }
  deletePausesForRun(runId: string): void {
    this.db.run('DELETE FROM pauses WHERE run_id = ?', [runId]);
  }
  allPauses(): PauseRecord[] {
    return this.db.all('SELECT body FROM pauses').map((r) => parse<PauseRecord>(r.body));
  }

  // --- apps and functions -------------------------------------------------------------------------
  putApp(a: AppRecord): void {
    this.db.run('INSERT OR REPLACE INTO apps (url, body) VALUES (?,?)', [a.pingUrl, JSON.stringify(a)]);
  }
  deleteApp(pingUrl: string): void {
    this.db.run('DELETE FROM apps WHERE url = ?', [pingUrl]);
  }
  allApps(): AppRecord[] {
    return this.db.all('SELECT body FROM apps').map((r) => parse<AppRecord>(r.body));
  }
  putFunction(f: FunctionRecord): void {
    this.db.run('INSERT OR REPLACE INTO functions (id, body) VALUES (?,?)', [f.id, JSON.stringify(f)]);
  }
  allFunctions(): FunctionRecord[] {
    return this.db.all('SELECT body FROM functions').map((r) => parse<FunctionRecord>(r.body));
  }

  async dispose(): Promise<void> {
    this.db.close();
  }
}
