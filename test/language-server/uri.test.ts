// The crawl's path -> URI fast path must spell every URI exactly as pathToFileURL does (the index,
// the editor's URIs and the watchers all meet on that spelling).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { pathToUri } from '../../language-server/workspace';

void test('pathToUri agrees with pathToFileURL, plain paths and awkward ones alike', () => {
  const paths = [
    '/work/app/src/functions/fn-1.ts',
    '/a/b_c-d.e/F.tsx',
    '/',
    '/a/',
    '/a/./b.ts',
    '/a/../b.ts',
    '/a/..',
    '/a//b.ts',
    '/with space/x.ts',
    '/percent%20/x.ts',
    '/hash#/q?.ts',
    '/ünïcode/日本.ts',
    '/pnpm/.pnpm/inngest@3.54.2/node_modules/x.ts',
    '/tab\there.ts',
    '/brackets[1]/{x}.ts',
  ];
  for (const p of paths) assert.equal(pathToUri(p), pathToFileURL(p).href, p);
});
