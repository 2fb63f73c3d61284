// The string validators on their own: the SDK's ms-style durations, cron lines, CEL and match paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCron, checkDuration, checkExpression } from '../../../language-server/analysis/checks';

void test('checkDuration follows the ms format the SDK parses for steps, and the server format for periods', () => {
  for (const ok of ['1s', '30s', '10m', '2h', '1d', '1w', '1y', '2 hours', '1.5d', '500', '500ms', ' 3 days ']) assert.equal(checkDuration(ok, true).ok, true, ok);
  for (const bad of ['1h30m', '1 fortnight', 'soon', '', '-1h', 'h1', '1 hour 30 minutes']) assert.equal(checkDuration(bad, true).ok, false, bad);
  assert.equal(checkDuration('1h30m', false).ok, true);
  assert.equal(checkDuration('1 fortnight', false).ok, false);
});

void test('checkCron names the field that is wrong, the zone that is unknown, or the field count', () => {
  assert.deepEqual(checkCron('0 9 * * 1-5'), { ok: true, timezone: undefined, pattern: '0 9 * * 1-5' });
  assert.deepEqual(checkCron('TZ=Asia/Tokyo 0 9 * * *'), { ok: true, timezone: 'Asia/Tokyo', pattern: '0 9 * * *' });
  const cases: [string, RegExp][] = [
    ['61 * * * *', /invalid minute field \("61"\)/],
    ['0 0 32 * *', /invalid day-of-month field \("32"\)/],
    ['* * * 13 *', /invalid month field \("13"\)/],
    ['0 0 * * 8', /invalid day-of-week field \("8"\)/],
    ['0 9 * *', /has 4 fields/],
    ['TZ=Nowhere/City 0 9 * * *', /unknown time zone "Nowhere\/City"/],
    ['@sometimes', /not a cron line/],
    ['@daily', /descriptor "@daily".*"0 0 \* \* \*"/],
    ['0 */5 * * * *', /has 6 fields.*no seconds/],
    ['0 0 L * *', /invalid day-of-month field \("L"\)/],
    ['0 12 * * 1#2', /invalid day-of-week field \("1#2"\)/],
    ['0 9 * * 7', /invalid day-of-week field \("7"\).*Sunday is 0/],
    ['*/0 * * * *', /step "\/0"/],
    ['0 18-9 * * *', /ends before it starts/],
  ];
  for (const [cron, re] of cases) {
    const r = checkCron(cron);
    assert.equal(r.ok, false, cron);
    assert.match(r.ok ? '' : r.reason, re, cron);
  }
});

void test('checkExpression reports CEL syntax errors with offsets and lists event/async paths', () => {
  const bad = checkExpression('event.data.a == ');
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok && bad.start === 16);
  const good = checkExpression("async.data.user.id == event.data.userId && event.data.items[0].sku == 'x' && size(event.name) > 0");
  assert.ok(good.ok);
  assert.deepEqual(
    good.paths.map((p) => `${p.root}:${p.path.join('.')}`),
    ['async:data.user.id', 'event:data.userId', 'event:data.items', 'event:name'],
  );
  const seg = good.paths[0]!.segments[1]!;
  assert.equal("async.data.user.id == event.data.userId".slice(seg.start, seg.end), 'user');
});
