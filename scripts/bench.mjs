// Runs every benchmark under test/bench/ (files named *.bench.ts) one after another and prints
// their figures. `node scripts/bench.mjs [filter...]`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
let files = readdirSync('test/bench').filter((f) => /\.bench\.(ts|mjs)$/.test(f)).sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join('test/bench', f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
