// Generates the language-server bench workspace: 2,000 files (500 functions, 200 events with their
// schemas spread over 20 files, the rest ordinary helper modules), v3 style, with a tsconfig.
//
// `node_modules/inngest` is the real SDK its package.json asks for (inngest 3.54.2: this project's
// `inngest-v3` dev dependency, linked), as `npm install` leaves it in a user's workspace, so
// `tsc --noEmit -p <ws>` checks the 500 functions against the SDK's real types. A second config,
// tsconfig.stub.json, maps `inngest` to a minimal type stub instead: tsc's time without the SDK's
// types, a lower bound the bench prints next to it. The language server reads neither: both sit in
// node_modules, which it skips.
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface BenchShape {
  files: number;
  functions: number;
  events: number;
  schemaFiles: number;
}

export const DEFAULT_SHAPE: BenchShape = { files: 2000, functions: 500, events: 200, schemaFiles: 20 };

/** The tsconfig that type-checks against the stub instead of the installed SDK. */
export const STUB_TSCONFIG = 'tsconfig.stub.json';
const STUB_DTS = 'node_modules/.steplens-bench-stub/inngest.d.ts';
/** Files of the generator that are not part of the workspace's count (the language server skips node_modules; tsconfigs are not sources either way). */
const notCounted = (f: string): boolean => f.startsWith('node_modules/') || f === STUB_TSCONFIG;

const INNGEST_STUB = `// Minimal stand-in for the inngest SDK's types, written by the Steplens bench.
export type EventPayload = { name: string; data: Record<string, unknown> };
export interface StepTools {
  run<T>(id: string, fn: () => T | Promise<T>): Promise<T>;
  sleep(id: string, duration: string): Promise<void>;
  waitForEvent(id: string, opts: { event: string; timeout: string; if?: string; match?: string }): Promise<EventPayload | null>;
  sendEvent(id: string, payload: EventPayload | EventPayload[]): Promise<{ ids: string[] }>;
}
export interface Context<E> {
  event: E;
  step: StepTools;
}
export declare class EventSchemas<R = {}> {
  fromRecord<T>(): EventSchemas<R & T>;
}
export interface FunctionOptions {
  id: string;
  name?: string;
  concurrency?: { limit: number; key?: string };
  cancelOn?: Array<{ event: string; if?: string; match?: string; timeout?: string }>;
}
export type Trigger = { event: string; if?: string } | { cron: string };
export declare class InngestFunction {
  readonly id: string;
}
export declare class Inngest<R = {}> {
  constructor(opts: { id: string; schemas?: EventSchemas<R> });
  createFunction<E = unknown>(opts: FunctionOptions, trigger: Trigger | Trigger[], handler: (ctx: Context<E>) => Promise<unknown>): InngestFunction;
  send(payload: EventPayload | EventPayload[]): Promise<{ ids: string[] }>;
}
`;

function eventName(i: number): string {
  return `app/domain${i % 25}.event${i}`;
}

/** Write the workspace under `root`; returns the relative path of a function file to edit. */
export async function generateWorkspace(root: string, shape: BenchShape = DEFAULT_SHAPE): Promise<{ editFile: string; fileCount: number }> {
  const files = new Map<string, string>();
  files.set('package.json', JSON.stringify({ name: 'bench-app', private: true, dependencies: { inngest: '^3.54.0' } }, null, 2));
  files.set(
    'tsconfig.json',
    JSON.stringify(
      {
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true, types: [] },
        include: ['src'],
      },
      null,
      2,
    ),
  );
  // The stub sits under node_modules (skipped by the language server, like the SDK itself).
  files.set(STUB_DTS, INNGEST_STUB);
  files.set(STUB_TSCONFIG, JSON.stringify({ extends: './tsconfig.json', compilerOptions: { paths: { inngest: [`./${STUB_DTS}`] } } }, null, 2));

  // Schemas: `events` events over `schemaFiles` files.
  const perFile = Math.ceil(shape.events / shape.schemaFiles);
  for (let f = 0; f < shape.schemaFiles; f++) {
    const lines = [`export type Events${f} = {`];
    for (let i = f * perFile; i < Math.min(shape.events, (f + 1) * perFile); i++) {
      lines.push(`  '${eventName(i)}': { data: { id: string; userId: string; amount: number; note?: string; meta: { source: string; attempt: number } } };`);
    }
    lines.push('};', '');
    files.set(`src/schemas/events-${f}.ts`, lines.join('\n'));
  }
  const imports = Array.from({ length: shape.schemaFiles }, (_, f) => `import type { Events${f} } from './schemas/events-${f}';`);
  const chain = Array.from({ length: shape.schemaFiles }, (_, f) => `.fromRecord<Events${f}>()`).join('\n  ');
  files.set(
    'src/client.ts',
    `import { Inngest, EventSchemas } from 'inngest';\n${imports.join('\n')}\n\nexport const schemas = new EventSchemas()\n  ${chain};\nexport const inngest = new Inngest({ id: 'bench', schemas });\n`,
  );

  // Functions.
  for (let i = 0; i < shape.functions; i++) {
    const ev = eventName(i % shape.events);
    const next = eventName((i + 1) % shape.events);
    files.set(
      `src/functions/fn-${i}.ts`,
      `import { inngest } from '../client';
import { format${i % 50} } from '../lib/util-${i % 50}';

export const fn${i} = inngest.createFunction(
  { id: 'fn-${i}', concurrency: { limit: 5, key: 'event.data.userId' } },
  { event: '${ev}' },
  async ({ event, step }) => {
    const a = await step.run('load-${i}', async () => format${i % 50}(String(${i})));
    await step.sleep('pause-${i}', '${(i % 12) + 1}h');
    const b = await step.waitForEvent('wait-${i}', { event: '${next}', timeout: '1d', if: 'async.data.userId == event.data.userId' });
    await step.sendEvent('notify-${i}', { name: '${next}', data: { id: 'x', userId: 'u', amount: ${i}, meta: { source: 'bench', attempt: 1 } } });
    return { a, b: b !== null };
  },
);
`,
    );
  }

  // Ordinary modules up to the total count.
  const rest = shape.files - [...files.keys()].filter((f) => !notCounted(f)).length;
  for (let i = 0; i < rest; i++) {
    if (i < 50) {
      files.set(`src/lib/util-${i}.ts`, `export function format${i}(s: string): string {\n  return s.padStart(${(i % 10) + 2}, '0') + '-${i}';\n}\n`);
      continue;
    }
    const dep = i % 50;
    files.set(
      `src/modules/mod-${i}.ts`,
      `import { format${dep} } from '../lib/util-${dep}';

export interface Record${i} {
  id: string;
  label: string;
  count: number;
  tags: string[];
}

export function build${i}(n: number): Record${i} {
  const tags: string[] = [];
  for (let k = 0; k < n % 7; k++) tags.push(format${dep}(String(k)));
  return { id: 'r${i}', label: format${dep}(String(n)), count: n * ${i % 13}, tags };
}

export class Store${i} {
  private readonly items = new Map<string, Record${i}>();
  put(r: Record${i}): void {
    this.items.set(r.id, r);
  }
  get(id: string): Record${i} | undefined {
    return this.items.get(id);
  }
  size(): number {
    return this.items.size;
  }
}
`,
    );
  }

  await Promise.all(
    [...files].map(async ([rel, text]) => {
      const abs = path.join(root, rel);
      await mkdir(path.dirname(abs), { recursive: true });
      await writeFile(abs, text);
    }),
  );
  // The installed SDK: this project's inngest 3.54.2, linked where npm would have put it.
  const sdk = path.resolve(__dirname, '../../node_modules/inngest-v3');
  if (!existsSync(path.join(sdk, 'package.json'))) throw new Error(`the bench links the real SDK from ${sdk}: run \`npm ci\` first`);
  await mkdir(path.join(root, 'node_modules'), { recursive: true });
  await symlink(sdk, path.join(root, 'node_modules', 'inngest'), 'dir');
  const fileCount = [...files.keys()].filter((f) => !notCounted(f)).length;
  return { editFile: 'src/functions/fn-7.ts', fileCount };
}
