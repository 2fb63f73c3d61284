// Panel first render: 1,000 runs listed and a 500-step run open, in headless Chromium.
// Data: recorded API answers (test/e2e/panel/recorded.ts, built from the runtime/api.ts types)
// served by a static server with the built panel (dist/media), so the figure is the panel's own
// cost (HTML + script + JSON parse + render), not the executor's query time (benched elsewhere).
// Figures: time from navigation start to the panel's `steplens:first-render` mark, and the
// script's share (from `steplens:start`), median of several cold page loads. Target: < 300 ms.
import { launch } from '../e2e/panel/browser';
import { recordedData, serveRecorded } from '../e2e/panel/recorded';

const RUNS = 1000;
const STEPS = 500;
const LOADS = 7;
const TARGET_MS = 300;

async function main(): Promise<void> {
  const data = recordedData(RUNS - 1, STEPS);
  const server = await serveRecorded(data);
  const browser = await launch();
  const total: number[] = [];
  const script: number[] = [];
  let listed = 0;
  let timelineRows = 0;
  try {
    for (let i = 0; i < LOADS + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/#/runs/${data.bigRunId}`);
      await page.waitForSelector('body[data-ready=true]', { timeout: 30_000 });
      const m = await page.evaluate(() => {
        const end = performance.getEntriesByName('steplens:first-render')[0]?.startTime ?? NaN;
        const start = performance.getEntriesByName('steplens:start')[0]?.startTime ?? NaN;
        return { end, start, listed: Number(document.querySelector('.runs-count')?.textContent?.replace(/\D/g, '') ?? 0), rows: document.querySelectorAll('.tl-row:not(.tl-attempt)').length };
      });
      if (i > 0) {
        // the first load warms the disk cache and the browser; it is not counted
        total.push(m.end);
        script.push(m.end - m.start);
      }
      listed = m.listed;
      timelineRows = m.rows;
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const med = median(total);
  console.log(`panel first render (${listed} runs listed, ${timelineRows}-step run open): median ${med.toFixed(0)} ms from navigation start ` +
    `(min ${Math.min(...total).toFixed(0)}, max ${Math.max(...total).toFixed(0)}, ${LOADS} cold loads); script share median ${median(script).toFixed(0)} ms; target < ${TARGET_MS} ms: ${med < TARGET_MS ? 'met' : 'NOT met'}`);
  if (listed < RUNS || timelineRows < STEPS) {
    console.error(`expected ${RUNS} runs listed and ${STEPS} steps shown, saw ${listed} and ${timelineRows}`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
