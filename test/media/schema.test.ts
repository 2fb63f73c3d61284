// The composer's JSON Schema interpreter (media/schema.ts), in plain Node: it replaces ajv, which
// the panel's CSP cannot run. Each case states what a user would see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson, validate } from '../../media/schema';

const order = {
  type: 'object',
  required: ['orderId', 'items'],
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', pattern: '^ord_' },
    email: { type: 'string', format: 'email' },
    total: { type: 'number', minimum: 0, exclusiveMaximum: 10000 },
    status: { enum: ['new', 'paid'] },
    items: { type: 'array', minItems: 1, items: { $ref: '#/$defs/item' } },
    note: { anyOf: [{ type: 'string', maxLength: 5 }, { type: 'null' }] },
  },
  $defs: { item: { type: 'object', required: ['sku'], properties: { sku: { type: 'string', minLength: 2 }, qty: { type: 'integer' } } } },
};

void test('a valid payload has no issues', () => {
  assert.deepEqual(validate(order, { orderId: 'ord_1', email: 'a@b.co', total: 10, status: 'paid', items: [{ sku: 'ab', qty: 2 }], note: null }), []);
});

void test('every kind of mistake is reported with its path', () => {
  const issues = validate(order, { orderId: 'x1', email: 'nope', total: 10000, status: 'lost', items: [{ sku: 'a', qty: 1.5 }], note: 'too long', extra: 1 });
  const lines = issues.map((i) => `${i.path} ${i.message}`).sort();
  assert.deepEqual(lines, [
    'data.email should be a valid email',
    "data.extra is not in the event's schema",
    'data.items[0].qty should be integer, not number',
    'data.items[0].sku should have at least 2 characters',
    'data.note should have at most 5 characters',
    'data.orderId should match ^ord_',
    'data.status should be one of "new", "paid"',
    'data.total should be < 10000',
  ]);
});

void test('missing required fields and wrong types', () => {
  assert.deepEqual(validate(order, {}).map((i) => i.path).sort(), ['data.items', 'data.orderId']);
  assert.deepEqual(validate(order, []), [{ path: 'data', message: 'should be object, not array' }]);
  assert.deepEqual(validate({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 3), [{ path: 'data', message: 'matches more than one of the allowed shapes' }]);
  assert.deepEqual(validate({ not: { type: 'string' } }, 's'), [{ path: 'data', message: 'matches a shape that is not allowed' }]);
  assert.deepEqual(validate(true, { anything: 1 }), []);
});

void test('JSON syntax errors say where', () => {
  const r = parseJson('{\n  "a": 1,\n  "b": }');
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.message, 'Unexpected "}" at line 3, column 8');
  const trailing = parseJson('{"a": 1,}');
  assert.equal(trailing.ok ? '' : trailing.message, 'Trailing comma at line 1, column 9');
  const open = parseJson('{"a": [1, 2');
  assert.equal(open.ok ? '' : open.message, 'Expected "," or "]" at line 1, column 12');
  assert.deepEqual(parseJson('{"a":[1]}'), { ok: true, value: { a: [1] } });
});
