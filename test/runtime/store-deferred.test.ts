// Deferred (group) commits of the store: Db.txDeferred. A decision's writes are visible to reads at
// once, commit at the end of the event-loop turn in decision order, roll back alone when the
// decision throws, and are lost only when the process dies inside the turn that made them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Db } from '../../runtime/store/db';

const ROOT = resolve(import.meta.dirname, '..', '..');

async function withDb(fn: (db: Db, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'steplens-deferred-'));
  const db = new Db(dir);
  try {
    await fn(db, dir);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const put = (db: Db, k: string, v: string) => db.run('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v', [k, v]);
const read = (db: Db, k: string) => db.get('SELECT v FROM meta WHERE k = ?', [k])?.v;
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

void test('deferred writes are read back at once and committed by the end of the turn', async () => {
  await withDb(async (db, dir) => {
    db.txDeferred(() => put(db, 'a', '1'));
    assert.equal(read(db, 'a'), '1', 'a read in the same turn sees the deferred write');
    await nextTurn();
    await nextTurn();
    // A second connection can only open the file once this one closes (exclusive lock): close, reopen.
    db.close();
    const again = new Db(dir);
    try {
      assert.equal(read(again, 'a'), '1');
    } finally {
      again.close();
    }
  });
});

void test('a decision that throws rolls back alone, also after a read ran part of it', async () => {
  await withDb(async (db) => {
    db.txDeferred(() => put(db, 'kept', 'yes'));
    assert.throws(() =>
      db.txDeferred(() => {
        put(db, 'lost', 'first');
        assert.equal(read(db, 'lost'), 'first'); // the read runs the queued writes under a savepoint
        put(db, 'lost', 'second');
        throw new Error('decision failed');
      }),
    /decision failed/);
    assert.throws(() =>
      db.txDeferred(() => {
        put(db, 'lost2', 'x');
        throw new Error('failed before any read');
      }),
    /failed before any read/);
    db.txDeferred(() => put(db, 'after', 'yes'));
    db.flush();
    assert.equal(read(db, 'kept'), 'yes');
    assert.equal(read(db, 'after'), 'yes');
    assert.equal(read(db, 'lost'), undefined);
    assert.equal(read(db, 'lost2'), undefined);
  });
});

void test('a tx or a lone write commits the waiting decisions first, in order', async () => {
  await withDb(async (db) => {
    db.txDeferred(() => put(db, 'k', 'deferred'));
    db.tx(() => put(db, 'k', 'tx'));
    assert.equal(read(db, 'k'), 'tx', 'the later transaction wins: commits kept decision order');
    db.txDeferred(() => put(db, 'k', 'deferred again'));
    put(db, 'k', 'lone');
    assert.equal(read(db, 'k'), 'lone');
    // Nothing is left waiting: the scheduled flush finds nothing to do.
    await nextTurn();
    assert.equal(read(db, 'k'), 'lone');
  });
});

/** Runs a script in a child process that opens a Db in `dir`; it may kill itself with SIGKILL. */
function child(dir: string, body: string): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const script = `
    const { Db } = require(${JSON.stringify(join(ROOT, 'runtime/store/db.ts'))});
    const db = new Db(${JSON.stringify(dir)});
    const put = (k, v) => db.run('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v', [k, v]);
    ${body}
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

void test('kill -9 inside the turn loses only that turn; after the turn the decision survives', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'steplens-deferred-kill-'));
  try {
    const a = child(dir, `
      db.tx(() => put('committed', 'yes'));
      db.txDeferred(() => put('same-turn', 'yes'));
      process.kill(process.pid, 'SIGKILL');
    `);
    assert.equal(a.signal, 'SIGKILL', a.stderr);
    const b = child(dir, `
      db.txDeferred(() => put('next-turn', 'yes'));
      setImmediate(() => setImmediate(() => process.kill(process.pid, 'SIGKILL')));
    `);
    assert.equal(b.signal, 'SIGKILL', b.stderr);
    const c = child(dir, `
      db.txDeferred(() => put('acked', 'yes'));
      void db.committed().then(() => process.kill(process.pid, 'SIGKILL'));
    `);
    assert.equal(c.signal, 'SIGKILL', c.stderr);
    const db = new Db(dir);
    try {
      assert.equal(read(db, 'acked'), 'yes', 'committed() resolves only once the decision is durable');
      assert.equal(read(db, 'committed'), 'yes');
      assert.equal(read(db, 'same-turn'), undefined, 'a decision still waiting for its commit dies with the process');
      assert.equal(read(db, 'next-turn'), 'yes', 'the commit at the end of the turn is durable');
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('the data dir gets a .gitignore that keeps the database out of git and fixtures/ in, once', async () => {
  await withDb(async (db, dir) => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const text = readFileSync(join(dir, '.gitignore'), 'utf8');
    assert.match(text, /^\*$/m);
    assert.match(text, /^!fixtures\/$/m);
    // A .gitignore the user edited is left alone when the store opens again.
    db.close();
    writeFileSync(join(dir, '.gitignore'), 'mine\n');
    const again = new Db(dir);
    again.close();
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'mine\n');
  });
});
