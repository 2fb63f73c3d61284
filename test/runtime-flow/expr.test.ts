import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCelEvaluator, ExpressionError, interpolateEvent, keyString, celLiteral } from '../../runtime/flow/expr';
import { parseDuration, formatDuration } from '../../runtime/flow/types';

const cel = createCelEvaluator();
const event = { name: 'demo/x', data: { n: 5, f: 1.5, user: 'u1', vip: true, list: [1, 2, 3], nested: { a: { b: 'deep' } }, nil: null }, ts: 1700000000000, id: 'e1' };

void test('fields read from event; missing fields anywhere in a chain are null', () => {
  assert.equal(cel.compile('event.data.user').evaluate({ event }), 'u1');
  assert.equal(cel.compile('event.data.nested.a.b').evaluate({ event }), 'deep');
  assert.equal(cel.compile('event.data.missing').evaluate({ event }), null);
  assert.equal(cel.compile('event.data.missing == null').evaluate({ event }), true);
  assert.equal(cel.compile('event.data.missing.deeper.still').evaluate({ event }), null);
  assert.equal(cel.compile('event.data.nil.x').evaluate({ event }), null);
  assert.equal(cel.compile('event.data["user"]').evaluate({ event }), 'u1');
  assert.equal(cel.compile('event.data.list[1]').evaluate({ event }), 2);
  assert.equal(cel.compile('event.data.list[7]').evaluate({ event }), null);
  assert.equal(cel.compile('has(event.data.user) && !has(event.data.nope)').evaluate({ event }), true);
  // no event at all: everything is null
  assert.equal(cel.compile('event.data.user').evaluate({}), null);
});

void test('whole JSON numbers are CEL ints; arithmetic, ternaries and macros work', () => {
  assert.equal(cel.compile('event.data.n + 1').evaluate({ event }), 6);
  assert.equal(cel.compile('event.data.vip ? 120 : 0').evaluate({ event }), 120);
  assert.equal(cel.compile('event.data.f * 2.0').evaluate({ event }), 3);
  assert.equal(cel.compile('event.data.list.all(x, x > 0)').evaluate({ event }), true);
  assert.equal(cel.compile('event.data.list.exists(x, x == 3)').evaluate({ event }), true);
  assert.equal(cel.compile('size(event.data.list)').evaluate({ event }), 3);
  assert.equal(cel.compile('event.name.startsWith("demo/")').evaluate({ event }), true);
  assert.equal(cel.compile('event.data.user + "-" + event.name').evaluate({ event }), 'u1-demo/x');
  assert.equal(cel.compile('event.data.user == async.data.user').evaluate({ event, async: { data: { user: 'u1' } } }), true);
  assert.equal(cel.compile('event.data.user == async.data.user').evaluate({ event, async: { data: {} } }), false);
});

void test('compile errors are ExpressionError with phase compile and say what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['1 +', /Unexpected token/],
    ['foo == 1', /Unknown variable: foo/],
    ['"a" + 1', /no such overload/],
    ['', /empty/],
    ['event.data.(', /./],
  ];
  for (const [src, re] of cases) {
    assert.throws(
      () => cel.compile(src),
      (err: unknown) => {
        assert.ok(err instanceof ExpressionError, `${src}: not an ExpressionError`);
        assert.equal(err.phase, 'compile');
        assert.equal(err.expression, src);
        assert.match(err.reason, re);
        assert.match(err.message, /does not compile/);
        return true;
      },
    );
  }
});

void test('evaluation errors are ExpressionError with phase evaluate', () => {
  const c = cel.compile('event.data.missing ? 1 : 2');
  assert.throws(() => c.evaluate({ event }), (err: unknown) => err instanceof ExpressionError && err.phase === 'evaluate');
});

void test('usesAsync tells whether an expression reads the incoming event', () => {
  assert.equal(cel.compile('event.data.x == async.data.x').usesAsync, true);
  assert.equal(cel.compile('event.data.x == 1').usesAsync, false);
});

void test('interpolateEvent replaces event.* with escaped literals and keeps async.*', () => {
  assert.equal(interpolateEvent('event.data.user == async.data.user', event), '"u1" == async.data.user');
  assert.equal(interpolateEvent('event.data.n == async.data.n && event.data.missing == null', event), '5 == async.data.n && null == null');
  assert.equal(interpolateEvent('async.data.list == event.data.list', event), 'async.data.list == [1, 2, 3]');
  assert.equal(interpolateEvent('event.data["user"] == async.data.u', event), '"u1" == async.data.u');
  // a dynamic index: the static prefix is replaced, the index stays an expression
  assert.equal(interpolateEvent('event.data.list[async.data.i] == 2', event), '[1, 2, 3][async.data.i] == 2');
});

void test('interpolated values cannot inject expression text', () => {
  const hostile = { data: { user: '" || true || "' } };
  const src = interpolateEvent('event.data.user == async.data.user', hostile);
  const c = cel.compile(src);
  assert.equal(c.evaluate({ async: { data: { user: 'someone else' } } }), false);
  assert.equal(c.evaluate({ async: { data: { user: '" || true || "' } } }), true);
});

void test('keyString and celLiteral', () => {
  assert.equal(keyString('a'), 'a');
  assert.equal(keyString(5), '5');
  assert.equal(keyString(null), '');
  assert.equal(keyString({ b: 1 }), '{"b":1}');
  assert.equal(celLiteral({ a: [1, 'x', null, true, 1.5] }), '{"a": [1, "x", null, true, 1.5]}');
});

void test('durations: units, combinations, bad input', () => {
  assert.equal(parseDuration('10s'), 10_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('2w'), 14 * 86_400_000);
  assert.equal(parseDuration('1d2h3m4s'), 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4000);
  assert.equal(parseDuration('500ms'), 500);
  assert.throws(() => parseDuration('ten seconds'), /not a duration/);
  assert.throws(() => parseDuration('5x'), /not a duration/);
  assert.throws(() => parseDuration(''), /empty/);
  assert.throws(() => parseDuration({}), /duration string/);
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(250), '250ms');
});
