import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronError, CronScheduler, nextFireTimes, parseCron, rfc3339, scheduledTimerEvent, SCHEDULED_TIMER_EVENT } from '../../runtime/flow/cron';
import { FlowConfigError } from '../../runtime/flow/types';
import { M, S } from './helpers';

const iso = (xs: number[]) => xs.map((x) => new Date(x).toISOString());
const NOON = Date.UTC(2026, 10, 30, 12, 0, 0);

void test('5-field, 6-field (seconds first) and descriptor crons; no zone means UTC', () => {
  assert.deepEqual(iso(nextFireTimes('*/5 * * * *', NOON, 3)), ['2026-11-30T12:05:00.000Z', '2026-11-30T12:10:00.000Z', '2026-11-30T12:15:00.000Z']);
  assert.deepEqual(iso(nextFireTimes('*/10 * * * * *', NOON, 2)), ['2026-11-30T12:00:10.000Z', '2026-11-30T12:00:20.000Z']);
  assert.deepEqual(iso(nextFireTimes('@hourly', NOON, 1)), ['2026-11-30T13:00:00.000Z']);
  assert.deepEqual(iso(nextFireTimes('0 9 * * *', NOON, 1)), ['2026-12-01T09:00:00.000Z']);
  assert.deepEqual(iso(nextFireTimes('TZ=UTC */5 * * * *', NOON, 1)), ['2026-11-30T12:05:00.000Z'], 'the kitchen app cron');
});

void test('@every <duration> (robfig descriptor) and the seconds-field warning', () => {
  assert.deepEqual(iso(nextFireTimes('@every 90s', NOON, 2)), ['2026-11-30T12:01:30.000Z', '2026-11-30T12:03:00.000Z']);
  assert.equal(parseCron('*/5 * * * *').warning, undefined);
  assert.match(parseCron('0 */5 * * * *').warning ?? '', /minute-precision/);
  const s = new CronScheduler();
  assert.equal(s.plan([{ id: 'f', triggers: [{ cron: '*/10 * * * * *' }] }], NOON).warnings.length, 1);
});

void test('TZ= and CRON_TZ= prefixes schedule in that zone', () => {
  // 09:00 in Kolkata (UTC+5:30) on weekdays; 2026-11-30 12:00Z is a Monday evening there
  assert.deepEqual(iso(nextFireTimes('TZ=Asia/Kolkata 0 9 * * 1-5', NOON, 2)), ['2026-12-01T03:30:00.000Z', '2026-12-02T03:30:00.000Z']);
  assert.deepEqual(iso(nextFireTimes('CRON_TZ=Europe/Paris 0 9 * * *', NOON, 1)), ['2026-12-01T08:00:00.000Z']);
  assert.equal(parseCron('TZ=America/New_York 0 9 * * *').timezone, 'America/New_York');
});

void test('DST: a time in the spring-forward gap runs once after the gap; a repeated time runs once', () => {
  // 2026-03-08: New York clocks go 02:00 -> 03:00; 02:30 does not exist that day
  assert.deepEqual(iso(nextFireTimes('TZ=America/New_York 30 2 * * *', Date.UTC(2026, 2, 7, 0, 0), 3)), [
    '2026-03-07T07:30:00.000Z',
    '2026-03-08T07:00:00.000Z',
    '2026-03-09T06:30:00.000Z',
  ]);
  // 2026-11-01: 01:30 happens twice (EDT then EST); the job runs once, at the first
  const fallBack = nextFireTimes('TZ=America/New_York 30 1 * * *', Date.UTC(2026, 9, 31, 0, 0), 3);
  assert.deepEqual(iso(fallBack), ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
});

void test('malformed crons give a CronError that says what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['* * * *', /has 4 fields; expected 5, or 6/],
    ['* * * * * * *', /has 7 fields/],
    ['61 * * * *', /minute: 61/],
    ['TZ=Mars/Olympus * * * * *', /unknown time zone "Mars\/Olympus"/],
    ['TZ=UTC', /must be followed by a space/],
    ['@fortnightly', /unsupported descriptor/],
    ['@every soon', /@every needs a duration/],
    ['', /empty/],
  ];
  for (const [src, re] of cases) {
    assert.throws(() => parseCron(src), (err: unknown) => err instanceof CronError && re.test(err.message) && /Use 5 fields/.test(err.message), src);
  }
});

void test('the scheduled.timer event: name, RFC 3339 id from the schedule time, data', () => {
  const e = scheduledTimerEvent('TZ=UTC */5 * * * *', NOON, NOON + 1234);
  assert.equal(e.name, SCHEDULED_TIMER_EVENT);
  assert.equal(e.name, 'inngest/scheduled.timer');
  assert.equal(e.id, '2026-11-30T12:00:00Z');
  assert.deepEqual(e.data, { cron: 'TZ=UTC */5 * * * *', scheduledAt: '2026-11-30T12:00:00Z', fireAt: '2026-11-30T12:00:01Z' });
  assert.equal(rfc3339(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05Z');
});

const fns = [
  { id: 'app-a', triggers: [{ cron: '*/5 * * * *' }, { event: 'x/y' }] },
  { id: 'app-b', triggers: [{ cron: '0 * * * *' }] },
];

void test('scheduler: plans, fires what is due, moves on; nothing fires twice', () => {
  const s = new CronScheduler();
  const plan = s.plan(fns, NOON + 1);
  assert.deepEqual(plan.errors, []);
  assert.deepEqual(iso(plan.entries.map((e) => e.fireAt)), ['2026-11-30T12:05:00.000Z', '2026-11-30T13:00:00.000Z']);
  assert.equal(s.nextWake(), NOON + 5 * M);
  assert.deepEqual(s.due(NOON + 5 * M - 1), [], 'not yet');
  const fired = s.due(NOON + 5 * M);
  assert.equal(fired.length, 1);
  assert.equal(fired[0]!.fnId, 'app-a');
  assert.equal(fired[0]!.event.id, '2026-11-30T12:05:00Z');
  assert.deepEqual(s.due(NOON + 5 * M), [], 'calling again at the same instant fires nothing');
  assert.equal(s.nextWake(), NOON + 10 * M);
  assert.deepEqual(s.nextRunsOf('app-b'), [NOON + 60 * M]);
});

void test('scheduler: after a restart with lastFired, a fired time does not fire again', () => {
  const s1 = new CronScheduler();
  s1.plan(fns, NOON);
  s1.due(NOON + 5 * M);
  const saved = JSON.parse(JSON.stringify(s1.lastFired()));
  // restart at the very same instant (crash right after firing)
  const s2 = new CronScheduler(saved);
  s2.plan(fns, NOON + 5 * M);
  assert.deepEqual(s2.due(NOON + 5 * M), [], 'no double fire');
  assert.equal(s2.nextWake(), NOON + 10 * M);
  // without lastFired the same restart would fire it again: the guard is what prevents it
  const s3 = new CronScheduler();
  s3.plan(fns, NOON + 5 * M);
  assert.equal(s3.due(NOON + 5 * M).length, 1);
});

void test('scheduler: times missed while stopped are not caught up; a late wake fires once for the latest time', () => {
  const s = new CronScheduler({ 'app-a\u0000*/5 * * * *': NOON });
  s.plan(fns, NOON + 31 * M); // stopped for half an hour
  assert.equal(s.nextWake(), NOON + 35 * M);
  const late = s.due(NOON + 47 * M); // the timer came 12 minutes late
  const a = late.filter((f) => f.fnId === 'app-a');
  assert.equal(a.length, 1);
  assert.equal(a[0]!.event.id, '2026-11-30T12:45:00Z');
  assert.equal(s.nextWake(), NOON + 50 * M);
});

void test('scheduler: re-planning keeps unchanged crons, adds new ones, drops removed ones, reports bad ones', () => {
  const s = new CronScheduler();
  s.plan(fns, NOON);
  s.due(NOON + 5 * M);
  const plan = s.plan(
    [
      { id: 'app-a', triggers: [{ cron: '*/5 * * * *' }] },
      { id: 'app-c', triggers: [{ cron: '*/2 * * * *' }, { cron: '99 * * * *' }] },
    ],
    NOON + 6 * M,
  );
  assert.deepEqual(
    plan.entries.map((e) => [e.fnId, new Date(e.fireAt).toISOString()]),
    [
      ['app-c', '2026-11-30T12:06:00.000Z'], // a schedule time equal to the planning instant is due
      ['app-a', '2026-11-30T12:10:00.000Z'],
    ],
  );
  assert.equal(plan.errors.length, 1);
  assert.ok(plan.errors[0] instanceof FlowConfigError);
  assert.equal(plan.errors[0]!.field, 'triggers[1].cron');
  assert.equal(plan.errors[0]!.fnId, 'app-c');
  assert.deepEqual(Object.keys(s.lastFired()), ['app-a\u0000*/5 * * * *']);
});

void test('scheduler: jitter delays the fire within its bound and stays put across re-plans', () => {
  const s = new CronScheduler();
  const withJitter = [{ id: 'app-j', triggers: [{ cron: '*/5 * * * *', jitter: '30s' }] }];
  const first = s.plan(withJitter, NOON + 1).entries[0]!;
  assert.equal(first.scheduledAt, NOON + 5 * M);
  assert.ok(first.fireAt >= first.scheduledAt && first.fireAt < first.scheduledAt + 30 * S);
  assert.equal(new CronScheduler().plan(withJitter, NOON + 2).entries[0]!.fireAt, first.fireAt, 'deterministic');
  const fired = s.due(first.fireAt);
  assert.equal(fired[0]!.event.id, '2026-11-30T12:05:00Z', 'the id is the schedule time, not the jittered one');
});
