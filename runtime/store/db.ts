// The SQLite file behind the store: node-sqlite3-wasm (WASM, no native addon), in WAL mode with
// an exclusive lock (WAL needs no shared memory then, and a second executor on the same data dir
// is refused). See runtime/ARCHITECTURE.md for the choice and the figures.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, type Statement } from 'node-sqlite3-wasm';

export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreOpenError';
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (internal_id TEXT PRIMARY KEY, id TEXT NOT NULL, name TEXT NOT NULL,
  received_at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_id ON events(id, received_at);
CREATE INDEX IF NOT EXISTS events_by_time ON events(received_at, internal_id);
CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, function_id TEXT NOT NULL, status TEXT NOT NULL,
  event_id TEXT, queued_at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs(queued_at, id);
CREATE INDEX IF NOT EXISTS runs_by_fn_time ON runs(function_id, queued_at, id);
CREATE INDEX IF NOT EXISTS runs_by_fn_status_time ON runs(function_id, status, queued_at, id);
CREATE INDEX IF NOT EXISTS runs_by_event ON runs(event_id);
CREATE INDEX IF NOT EXISTS runs_by_status_time ON runs(status, queued_at, id);
CREATE TABLE IF NOT EXISTS steps (run_id TEXT NOT NULL, hashed_id TEXT NOT NULL, stack_index INTEGER,
  value TEXT, info TEXT NOT NULL, PRIMARY KEY (run_id, hashed_id));
CREATE TABLE IF NOT EXISTS exchanges (run_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS queue (id TEXT PRIMARY KEY, run_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS queue_by_run ON queue(run_id);
CREATE TABLE IF NOT EXISTS pauses (id TEXT PRIMARY KEY, run_id TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS pauses_by_run ON pauses(run_id);
CREATE TABLE IF NOT EXISTS apps (url TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS functions (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run_events (event_id TEXT NOT NULL, run_id TEXT NOT NULL, role TEXT NOT NULL,
  position INTEGER, of_count INTEGER, run_event_id TEXT, PRIMARY KEY (event_id, run_id));
`;

const PID_FILE = 'steplens.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * node-sqlite3-wasm locks with a `<db>.lock` directory, which a killed process (kill -9) leaves
 * behind. The pid file says who held it: if that process is gone, the lock is stale.
 */
function clearStaleLock(dir: string, file: string): void {
  const lock = `${file}.lock`;
  if (!existsSync(lock)) return;
  let pid = NaN;
  try {
    pid = Number(readFileSync(join(dir, PID_FILE), 'utf8').trim());
  } catch {
    // no pid file: the holder never finished opening, or it is from an older version
  }
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
    throw new StoreOpenError(`the data dir ${dir} is in use by another steplens process (pid ${pid}): stop it or pass another --data-dir`);
  }
  rmSync(lock, { recursive: true, force: true });
}

/**
 * The data dir (by default the project's `.steplens/`) holds the database and lock files, which do
 * not belong in git, next to `fixtures/` (test events saved from the panel), which do. A
 * `.gitignore` says so, unless the folder has one already.
 */
function keepOutOfGit(dir: string): void {
  const text = [
    '# Written by steplens dev: its database and lock files stay out of git.',
    '# Test events saved from the panel (fixtures/) are meant to be committed.',
    '*',
    '!.gitignore',
    '!fixtures/',
    '!fixtures/**',
    '',
  ].join('\n');
  try {
    writeFileSync(join(dir, '.gitignore'), text, { flag: 'wx' });
  } catch {
    // there is one already (kept as the user has it), or the folder is read-only
  }
}

export type Row = Record<string, number | bigint | string | Uint8Array | null>;
export type Param = number | string | null;

/** A thin synchronous wrapper: cached prepared statements and flat transactions. */
export class Db {
  private readonly db: Database;
  private readonly stmts = new Map<string, Statement>();
  private depth = 0;
  /** Deferred decisions wait for their commit (`txDeferred`, `flush`). */
  private pending = false;
  private flushScheduled = false;
  /** Writes of deferred decisions, not yet run: they run at the commit or before the next read. */
  private readonly queued: { sql: string; params: Param[] }[] = [];
  /** SQLite has a transaction open that holds drained deferred writes. */
  private open = false;
  /** Inside a `txDeferred` body. */
  private deciding = false;
  /** Where the current decision's writes start in `queued`; whether part of them already ran under a savepoint. */
  private decisionMark = 0;
  private decisionSaved = false;
  /** Callers of `committed()` waiting for the deferred commit. */
  private readonly waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writesSinceCheckpoint = 0;
  /** Told when a deferred commit fails (its decisions are rolled back; the caller was long gone). */
  onDeferredCommitError: (e: unknown) => void = (e) => {
    console.error(`steplens store: a deferred commit failed and was rolled back: ${(e as Error)?.message ?? String(e)}`);
  };
  private readonly checkpointTimer: NodeJS.Timeout;

  constructor(dir: string) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (cause) {
      throw new StoreOpenError(`cannot create the data dir ${dir}: check its permissions or pass --data-dir`, { cause });
    }
    const file = join(dir, 'steplens.db');
    keepOutOfGit(dir);
    clearStaleLock(dir, file);
    this.checkpointTimer = setInterval(() => this.checkpoint(), 1000);
    this.checkpointTimer.unref();
    try {
      this.db = new Database(file);
      this.db.exec('PRAGMA locking_mode=EXCLUSIVE');
      this.db.get('PRAGMA journal_mode=WAL');
      this.db.exec('PRAGMA synchronous=NORMAL');
      // WAL checkpoints (copying the log into the db file, with fsyncs) run off the hot path, on
      // an idle timer, instead of inside whichever commit crosses 1000 pages.
      this.db.exec('PRAGMA wal_autocheckpoint=0');
      // A burst of writes grows the WAL; once a checkpoint has folded it in, cut it back to 16 MB on disk.
      this.db.exec('PRAGMA journal_size_limit=16777216');
      this.db.exec(SCHEMA);
      writeFileSync(join(dir, PID_FILE), String(process.pid));
    } catch (cause) {
      clearInterval(this.checkpointTimer);
      const busy = String((cause as Error)?.message ?? cause).includes('locked');
      throw new StoreOpenError(
        busy
          ? `the data dir ${dir} is in use by another steplens process: stop it or pass another --data-dir`
          : `cannot open the store ${file}: ${(cause as Error)?.message ?? String(cause)} (if the file is damaged, move the data dir away to start afresh)`,
        { cause },
      );
    }
  }

  private stmt(sql: string): Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /** Folds the WAL into the db file when there were writes (PASSIVE: never waits). */
  checkpoint(): void {
    if (this.writesSinceCheckpoint === 0 || this.depth > 0 || this.pending || !this.db.isOpen) return;
    this.writesSinceCheckpoint = 0;
    try {
      this.db.get('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // retried on the next tick
    }
  }

  run(sql: string, params: Param[] = []): number {
    this.writesSinceCheckpoint++;
    if (this.deciding) {
      // Callers never use the count of a deferred write; it runs at the commit.
      this.queued.push({ sql, params });
      return 0;
    }
    // A write outside any transaction is durable when it returns: commit what waits first, in order.
    if (this.depth === 0) this.flush();
    return this.stmt(sql).run(params).changes;
  }

  get(sql: string, params: Param[] = []): Row | undefined {
    this.drain();
    return (this.stmt(sql).get(params) as Row | null) ?? undefined;
  }

  all(sql: string, params: Param[] = []): Row[] {
    this.drain();
    return this.stmt(sql).all(params) as Row[];
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). Durable when it returns. */
  tx<T>(fn: () => T): T {
    if (this.depth > 0) {
      this.depth++;
      try {
        return fn();
      } finally {
        this.depth--;
      }
    }
    // Deferred decisions commit first: commits stay in the order the decisions were made.
    this.flush();
    this.depth = 1;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const r = fn();
      this.db.exec('COMMIT');
      return r;
    } catch (e) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // already rolled back
      }
      throw e;
    } finally {
      this.depth = 0;
    }
  }

  /**
   * Runs `fn` atomically, like `tx`, but its writes run and commit at the end of the current
   * event-loop turn, together with the other deferred decisions of that turn (group commit), instead
   * of before it returns. Whatever the decision sets off in the same turn (the SDK request that
   * follows a step's result) leaves first. Reads see every write made so far (queued writes run
   * before a read, inside the open transaction); any `tx` or lone write commits the waiting
   * decisions first. Commits therefore keep decision order: a crash can lose the latest decisions
   * of one turn, never an earlier decision while a later one survives.
   */
  txDeferred<T>(fn: () => T): T {
    if (this.depth > 0) return this.tx(fn);
    this.pending = true;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    this.depth = 1;
    this.deciding = true;
    this.decisionMark = this.queued.length;
    this.decisionSaved = false;
    try {
      const r = fn();
      if (this.decisionSaved) this.db.exec('RELEASE decision');
      return r;
    } catch (e) {
      this.queued.length = this.decisionMark;
      if (this.decisionSaved) {
        try {
          this.db.exec('ROLLBACK TO decision');
          this.db.exec('RELEASE decision');
        } catch {
          // the transaction is gone; flush() finds nothing to commit
        }
      }
      throw e;
    } finally {
      this.depth = 0;
      this.deciding = false;
      this.decisionSaved = false;
    }
  }

  /** Runs the queued writes inside the open deferred transaction (a read must see them). */
  private drain(): void {
    if (this.queued.length === 0) return;
    if (!this.open) {
      this.db.exec('BEGIN IMMEDIATE');
      this.open = true;
    }
    const writes = this.queued.splice(0);
    // Mid-decision: what came before runs as is; the decision's own writes run under a savepoint,
    // so a decision that throws later rolls back alone.
    const mark = this.deciding && !this.decisionSaved ? this.decisionMark : writes.length;
    this.decisionMark = 0;
    for (let i = 0; i < writes.length; i++) {
      if (i === mark) {
        this.db.exec('SAVEPOINT decision');
        this.decisionSaved = true;
      }
      this.stmt(writes[i]!.sql).run(writes[i]!.params);
    }
    if (mark === writes.length && this.deciding && !this.decisionSaved && writes.length > 0) {
      this.db.exec('SAVEPOINT decision');
      this.decisionSaved = true;
    }
  }

  /**
   * Resolves once the decisions deferred so far are committed (at once when none wait); rejects
   * when that commit fails. For answers that acknowledge a deferred decision (an event's ids).
   */
  committed(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Runs and commits the deferred decisions now (no-op when none wait). */
  flush(): void {
    if (!this.pending) return;
    if (this.depth > 0) {
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
      return;
    }
    this.pending = false;
    const waiters = this.waiters.splice(0);
    try {
      this.drain();
      if (this.open) this.db.exec('COMMIT');
      for (const w of waiters) w.resolve();
    } catch (e) {
      this.queued.length = 0;
      if (this.open) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // already rolled back
        }
      }
      this.onDeferredCommitError(e);
      for (const w of waiters) w.reject(e);
    } finally {
      this.open = false;
    }
  }

  close(): void {
    if (this.db.isOpen) this.flush();
    clearInterval(this.checkpointTimer);
    for (const s of this.stmts.values()) {
      try {
        s.finalize();
      } catch {
        // ignore
      }
    }
    this.stmts.clear();
    if (this.db.isOpen) this.db.close();
  }
}
