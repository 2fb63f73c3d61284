// Realtime parts without a server: token issue/verify (expiry, tampering, another executor's
// secret) and the hub (routing by channel and topic, nothing built or kept when nobody listens).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { RealtimeHub, type Subscriber } from '../../runtime/realtime/hub';
import { TOKEN_ISSUER, TOKEN_TTL_SECONDS, TokenError, TokenIssuer } from '../../runtime/realtime/token';
import { DEV_ENV_ID } from '../../runtime/realtime/types';

void test('a token carries its topics, Inngest-style claims, and expires after a minute', () => {
  let now = Date.UTC(2026, 0, 1);
  const tokens = new TokenIssuer(randomBytes(32), () => now);
  const jwt = tokens.issue([{ kind: 'run', channel: 'c', name: 't' }]);
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  assert.equal(claims.iss, TOKEN_ISSUER);
  assert.equal(claims.env, DEV_ENV_ID);
  assert.equal((claims.exp as number) - (claims.iat as number), TOKEN_TTL_SECONDS);
  assert.deepEqual(tokens.verify(jwt), [{ kind: 'run', env_id: DEV_ENV_ID, channel: 'c', name: 't' }]);
  now += (TOKEN_TTL_SECONDS - 1) * 1000;
  assert.equal(tokens.verify(jwt).length, 1);
  now += 1000;
  assert.throws(() => tokens.verify(jwt), (e: unknown) => e instanceof TokenError && /expired/.test(e.message));
});

void test('tokens from another executor, tampered ones and other algorithms are refused with the reason', () => {
  const a = new TokenIssuer();
  const b = new TokenIssuer();
  const jwt = a.issue([{ kind: 'run', channel: 'c', name: 't' }]);
  assert.throws(() => b.verify(jwt), /not issued by this executor/);
  const [, claims, sig] = jwt.split('.');
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  assert.throws(() => a.verify(`${none}.${claims}.${sig}`), /only HS256/);
  assert.throws(() => a.verify(`${jwt}x`), /signature does not match/);
  assert.throws(() => a.verify('a.b'), /three dot-separated parts/);
  assert.throws(() => a.verify('!!.??.x'), /malformed/);
  assert.throws(() => a.verify(''), /no realtime token/);
});

void test('the hub routes by (channel, topic), counts a topic given twice once, and drops what nobody hears', () => {
  const hub = new RealtimeHub();
  const got: Record<string, string[]> = { s1: [], s2: [] };
  const sub = (id: string): Subscriber => ({ id, send: (t) => got[id]!.push(t) });
  const s1 = sub('s1');
  const s2 = sub('s2');
  hub.subscribe(s1, [
    { channel: 'a', name: 'x' },
    { channel: 'a', name: 'x' },
    { channel: 'b', name: 'x' },
  ]);
  hub.subscribe(s2, [{ channel: 'a', name: 'y' }]);
  let built = 0;
  const text = (s: string) => () => (built++, s);
  assert.equal(hub.publish('a', 'x', text('1')), 1);
  assert.equal(hub.publish('a', 'y', text('2')), 1);
  assert.equal(hub.publish('c', 'x', text('3')), 0);
  assert.equal(built, 2, 'a message nobody listens to is never serialized');
  assert.equal(hub.writeRaw('a', 'raw'), 2);
  hub.unsubscribe(s1, [{ channel: 'a', name: 'x' }]);
  assert.equal(hub.publish('a', 'x', text('4')), 0);
  assert.equal(hub.writeRaw('b', 'raw-b'), 1);
  hub.unsubscribe(s1);
  hub.unsubscribe(s2);
  assert.equal(hub.subscriberCount, 0);
  assert.equal(hub.writeRaw('a', 'none'), 0);
  assert.deepEqual(got, { s1: ['1', 'raw', 'raw-b'], s2: ['2', 'raw'] });
});

void test('publishing with nobody subscribed costs a Map lookup', () => {
  const hub = new RealtimeHub();
  hub.subscribe({ id: 'other', send: () => undefined }, [{ channel: 'busy', name: 't' }]);
  const n = 200_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) hub.publish('quiet', 't', () => JSON.stringify({ big: 'x'.repeat(1000) }));
  const perPublishNs = Number(process.hrtime.bigint() - t0) / n;
  assert.equal(hub.delivered, 0);
  // Generous bound for a loaded 2-core machine; serializing the message would cost far more.
  assert.ok(perPublishNs < 2000, `${perPublishNs.toFixed(0)} ns per publish`);
});
