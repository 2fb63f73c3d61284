// The event API (PROTOCOL §9): validation, storage, fan-out to functions and to waiting runs.
// A request is all-or-nothing: any invalid event -> 400 and nothing is stored.
import { encodeTime } from 'ulid';
import type { EventApiResponse } from './api';
import type { EventBus } from './bus';
import type { Clock } from './clock';
import type { Engine } from './engine/engine';
import { ulid } from './engine/ids';
import { eventRecord } from './engine/views';
import { FAILED_EVENT, FINISHED_EVENT, INVOKED_EVENT, type FunctionRegistry } from './functions';
import type { Logger } from './log';
import type { SdkEvent, StoredEvent } from './model';
import type { Store } from './store/store';

export const EVENT_LIMITS = {
  maxEventBytes: 512 * 1024,
  maxEvents: 5000,
  maxNameLength: 512,
  /** Request bodies above this are refused before parsing. */
  maxBodyBytes: 256 * 1024 * 1024,
  dedupeWindowMs: 24 * 3600 * 1000,
};

export class EventValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventValidationError';
  }
}

const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** ULIDs derived from the SDK's `x-inngest-event-id-seed` (`<ms>,<base64 10 bytes>`), so a retried send maps to the same ids. */
function seededIds(seed: string | undefined, count: number): string[] | null {
  if (!seed) return null;
  const m = /^(\d+),([A-Za-z0-9+/=]+)$/.exec(seed.trim());
  if (!m) return null;
  const ms = Number(m[1]);
  const bytes = Buffer.from(m[2]!, 'base64');
  if (bytes.length !== 10 || !Number.isSafeInteger(ms) || ms > 281474976710655) return null;
  const rnd = BigInt('0x' + bytes.toString('hex'));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let v = (rnd + BigInt(i)) & ((1n << 80n) - 1n);
    let s = '';
    for (let k = 0; k < 16; k++) {
      s = B32[Number(v & 31n)] + s;
      v >>= 5n;
    }
    out.push(encodeTime(ms, 10) + s);
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export interface IngestOptions {
  store: Store;
  engine: Engine;
  functions: FunctionRegistry;
  clock: Clock;
  bus: EventBus;
  log: Logger;
}

export class Ingest {
  constructor(private readonly o: IngestOptions) {}

  /** Validates one event; returns it normalized. */
  private validate(raw: unknown, i: number, total: number): Omit<SdkEvent, 'id'> & { id?: string } {
    const where = total > 1 ? `event ${i}` : 'the event';
    if (!isPlainObject(raw)) throw new EventValidationError(`${where} is not a JSON object`);
    const name = raw.name;
    if (typeof name !== 'string' || name.trim() === '') throw new EventValidationError(`${where} has no name: set "name", e.g. "app/user.signup"`);
    if (name.length > EVENT_LIMITS.maxNameLength) throw new EventValidationError(`${where} has a name longer than ${EVENT_LIMITS.maxNameLength} characters`);
    if (name.startsWith('inngest/')) throw new EventValidationError(`${where} uses the reserved name prefix "inngest/": pick another name`);
    const data = raw.data === undefined || raw.data === null ? {} : raw.data;
    if (!isPlainObject(data)) throw new EventValidationError(`${where} has "data" that is not an object`);
    const user = raw.user === undefined || raw.user === null ? {} : raw.user;
    if (!isPlainObject(user)) throw new EventValidationError(`${where} has "user" that is not an object`);
    if (raw.id !== undefined && raw.id !== null && (typeof raw.id !== 'string' || raw.id.length > 512)) throw new EventValidationError(`${where} has an "id" that is not a string`);
    if (raw.ts !== undefined && raw.ts !== null && (typeof raw.ts !== 'number' || !Number.isFinite(raw.ts) || raw.ts < 0)) {
      throw new EventValidationError(`${where} has a "ts" that is not epoch milliseconds`);
    }
    if (raw.v !== undefined && raw.v !== null && typeof raw.v !== 'string') throw new EventValidationError(`${where} has a "v" that is not a string`);
    const size = Buffer.byteLength(JSON.stringify(raw));
    if (size > EVENT_LIMITS.maxEventBytes) throw new EventValidationError(`${where} is ${size} bytes; the limit is ${EVENT_LIMITS.maxEventBytes} bytes (512 KB)`);
    const ev: Omit<SdkEvent, 'id'> & { id?: string } = { name, data, user, ts: typeof raw.ts === 'number' && raw.ts > 0 ? Math.floor(raw.ts) : this.o.clock.now() };
    if (typeof raw.id === 'string' && raw.id !== '') ev.id = raw.id;
    if (typeof raw.v === 'string') ev.v = raw.v;
    return ev;
  }

  /**
   * `POST /e/{key}` with its raw body. Never rejects. The ids are answered once the events are
   * committed; the runs they start may send their first request before that (Store.txDeferred).
   */
  async accept(body: string, seed: string | undefined): Promise<{ status: number; body: EventApiResponse }> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return { status: 400, body: { ids: [], status: 400, error: `the body is not valid JSON: ${(e as Error).message}` } };
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    if (list.length > EVENT_LIMITS.maxEvents) {
      return { status: 400, body: { ids: [], status: 400, error: `${list.length} events in one request; the limit is ${EVENT_LIMITS.maxEvents}` } };
    }
    let events: ReturnType<Ingest['validate']>[];
    try {
      events = list.map((e, i) => this.validate(e, i, list.length));
    } catch (e) {
      return { status: 400, body: { ids: [], status: 400, error: (e as Error).message } };
    }
    try {
      const ids = this.ingest(events, seed, true);
      await this.o.store.committed();
      return { status: 200, body: { ids, status: 200 } };
    } catch (e) {
      this.o.log.error(`storing events failed: ${(e as Error).stack ?? String(e)}`);
      return { status: 500, body: { ids: [], status: 500, error: `the executor could not store the events: ${(e as Error).message}` } };
    }
  }

  /**
   * Stores events and starts what they trigger, in one transaction. Answers the internal ids.
   * `deferred`: the transaction commits at the end of the turn (the caller awaits `store.committed()`).
   */
  ingest(events: (Omit<SdkEvent, 'id'> & { id?: string })[], seed?: string, deferred = false): string[] {
    const now = this.o.clock.now();
    const seeded = seededIds(seed, events.length);
    const ids = (deferred ? this.o.store.txDeferred.bind(this.o.store) : this.o.store.tx.bind(this.o.store))(() =>
      events.map((e, i) => {
        const internalId = seeded?.[i] ?? ulid(now);
        if (seeded && this.o.store.getEvent(internalId)) return internalId; // the SDK retried a send
        if (e.id) {
          const dup = this.o.store.findEventById(e.id, now - EVENT_LIMITS.dedupeWindowMs);
          if (dup) return dup.internalId;
        }
        const stored: StoredEvent = { internalId, id: e.id ?? internalId, receivedAt: now, event: { ...e, id: e.id ?? internalId } };
        this.store(stored);
        return internalId;
      }),
    );
    return ids;
  }

  /** Publishes an internal event (function.finished, function.invoked, ...). Joins the caller's transaction. */
  publish(name: string, data: Record<string, unknown>, id?: string): StoredEvent {
    const now = this.o.clock.now();
    const internalId = ulid(now);
    const stored: StoredEvent = { internalId, id: id ?? internalId, receivedAt: now, event: { name, data, id: id ?? internalId, ts: now, user: {} } };
    this.o.store.tx(() => this.store(stored));
    return stored;
  }

  private store(ev: StoredEvent): void {
    const { store, functions, engine } = this.o;
    store.putEvent(ev);
    // Announced before the runs it starts (run.created), so the stream reads in causal order; cancelOn matches run here too.
    this.o.bus.emit({ type: 'event.received', event: eventRecord(ev) });
    const name = ev.event.name;
    for (const fn of functions.triggeredBy(ev.event)) {
      const extra: Parameters<Engine['createRun']>[2] = {};
      if (name === INVOKED_EVENT) {
        const meta = ev.event.data._inngest as { correlation_id?: unknown } | undefined;
        if (typeof meta?.correlation_id === 'string') {
          extra.correlationId = meta.correlation_id;
          const parent = meta.correlation_id.split('.')[0];
          if (parent && store.getRun(parent)) extra.parentRunId = parent;
        }
      }
      if (name === FINISHED_EVENT || name === FAILED_EVENT || name.startsWith('inngest/function.')) {
        if (name !== INVOKED_EVENT) extra.noFinishEvents = true;
      }
      // An event whose `ts` is in the future schedules its runs for then (Inngest: "schedule a function for later").
      const startAt = ev.event.ts > ev.receivedAt ? ev.event.ts : undefined;
      if (startAt !== undefined) extra.hold = { rule: 'scheduled', detail: `the event's ts is in the future: the run starts at ${new Date(startAt).toISOString()}`, until: startAt };
      engine.createRun(fn, [ev], extra, startAt !== undefined ? { startAt } : {});
    }
    engine.onEvent(ev);
  }
}
