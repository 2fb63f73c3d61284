// Headless Chromium for the panel tests and bench (playwright-core, system Chromium).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.STEPLENS_CHROMIUM ?? '/usr/bin/chromium';

export class BrowserMissingError extends Error {
  override name = 'BrowserMissingError';
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new BrowserMissingError(`Chromium not found at ${CHROMIUM}: run \`apt-get update && apt-get install -y chromium\` or set STEPLENS_CHROMIUM`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Collects page errors, console errors and CSP violations, so a test can assert there were none. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  return problems;
}
