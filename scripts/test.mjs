// Runs every test file under test/ with Node's own test runner (through tsx for TypeScript).
// `node scripts/test.mjs [filter...]`: only files whose path contains one of the filters.
// STEPLENS_SKIP_E2E=1 skips the suites that need Chromium or a VS Code (files under test/e2e/).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.test\.(ts|mts|mjs|js)$/.test(name)) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
let files = walk('test').sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (process.env.STEPLENS_SKIP_E2E === '1') files = files.filter((f) => !f.startsWith(join('test', 'e2e')));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
