#!/usr/bin/env node
// The `steplens` command. The code lives in the bundle that `npm run build` writes.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('steplens: dist/cli.js is missing. Run `npm run build` in ' + join(__dirname, '..') + ' first.');
  process.exit(1);
}
require(cli);
