// Workspace facts the extension needs: does a package depend on inngest; fixtures on disk;
// the example the welcome view adds.
import * as vscode from 'vscode';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Fixture } from '../media/messages';

/** True when a package.json in the workspace (outside node_modules) lists `inngest` as a dependency. */
export async function workspaceUsesInngest(): Promise<boolean> {
  if (!vscode.workspace.workspaceFolders?.length) return false;
  const files = await vscode.workspace.findFiles('**/package.json', '**/node_modules/**', 200);
  for (const f of files) {
    try {
      if (dependsOnInngest(JSON.parse(await readFile(f.fsPath, 'utf8')) as unknown)) return true;
    } catch {
      // unreadable package.json: not ours to report
    }
  }
  return false;
}

export function dependsOnInngest(pkg: unknown): boolean {
  if (!pkg || typeof pkg !== 'object') return false;
  const p = pkg as Record<string, unknown>;
  return ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].some(
    (k) => !!p[k] && typeof p[k] === 'object' && Object.prototype.hasOwnProperty.call(p[k], 'inngest'),
  );
}

export function firstFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

const FIXTURE_NAME = /^[A-Za-z0-9._-]+$/;

export function fixturesDir(): string {
  const root = firstFolder();
  if (!root) throw new FixtureError('No folder is open', 'Open your project folder to save fixtures in it.');
  return join(root.fsPath, '.steplens', 'fixtures');
}

export class FixtureError extends Error {
  override name = 'FixtureError';
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export async function listFixtures(): Promise<Fixture[]> {
  const dir = fixturesDir();
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: Fixture[] = [];
  for (const n of names) {
    try {
      const v = JSON.parse(await readFile(join(dir, n), 'utf8')) as Partial<Fixture>;
      if (typeof v.event !== 'string' || !v.data || typeof v.data !== 'object') continue;
      out.push({ name: n.slice(0, -5), event: v.event, data: v.data, ...(v.user ? { user: v.user } : {}) });
    } catch {
      // skip files that are not fixtures
    }
  }
  return out;
}

export async function saveFixture(f: Fixture): Promise<{ path: string }> {
  if (!FIXTURE_NAME.test(f.name) || f.name.startsWith('.')) {
    throw new FixtureError(`"${f.name}" is not a fixture name`, 'Use letters, digits, "-", "_" and "."');
  }
  const dir = fixturesDir();
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${f.name}.json`);
  const body = { event: f.event, data: f.data, ...(f.user ? { user: f.user } : {}) };
  await writeFile(path, JSON.stringify(body, null, 2) + '\n');
  return { path };
}

/** Adds a minimal v4 example (client, one function, a node serve route) to the first folder. */
export async function addExample(): Promise<vscode.Uri> {
  const root = firstFolder();
  if (!root) throw new FixtureError('No folder is open', 'Open a folder first, then run the command again.');
  const dir = join(root.fsPath, 'src', 'inngest');
  await mkdir(dir, { recursive: true });
  const pkgPath = join(root.fsPath, 'package.json');
  let pkg: Record<string, unknown> = { name: 'my-app', private: true, type: 'module' };
  try {
    pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as Record<string, unknown>;
  } catch {
    // new package.json
  }
  const deps = (pkg.dependencies ?? {}) as Record<string, string>;
  deps.inngest ??= '^4.0.0';
  pkg.dependencies = deps;
  const scripts = (pkg.scripts ?? {}) as Record<string, string>;
  // INNGEST_DEV from the environment wins (Steplens on another port than 8288); 1 means localhost:8288.
  scripts['dev:inngest'] ??= 'INNGEST_DEV=${INNGEST_DEV:-1} tsx src/inngest/serve.ts';
  pkg.scripts = scripts;
  const devDeps = (pkg.devDependencies ?? {}) as Record<string, string>;
  if (!deps.tsx) devDeps.tsx ??= '^4.0.0';
  pkg.devDependencies = devDeps;
  await writeFile(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
  const fnFile = join(dir, 'functions.ts');
  await writeIfAbsent(fnFile, EXAMPLE_FUNCTIONS);
  await writeIfAbsent(join(dir, 'serve.ts'), EXAMPLE_SERVE);
  return vscode.Uri.file(fnFile);
}

async function writeIfAbsent(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx' });
  } catch {
    // keep the user's file
  }
}

const EXAMPLE_FUNCTIONS = `import { Inngest } from 'inngest';

export const inngest = new Inngest({ id: 'my-app' });

export const helloWorld = inngest.createFunction(
  { id: 'hello-world', triggers: [{ event: 'test/hello.world' }] },
  async ({ event, step }) => {
    const greeting = await step.run('greet', () => \`Hello, \${event.data.name ?? 'world'}!\`);
    await step.sleep('pause', '1s');
    return { greeting };
  },
);

export const functions = [helloWorld];
`;

const EXAMPLE_SERVE = `// Serves the functions at http://127.0.0.1:3000/api/inngest. Start with \`npm run dev:inngest\`
// (INNGEST_DEV points the SDK at Steplens; set it to the URL Steplens shows when it is not on 8288).
import { createServer } from 'node:http';
import { serve } from 'inngest/node';
import { inngest, functions } from './functions';

createServer(serve({ client: inngest, functions })).listen(3000, '127.0.0.1', () => {
  console.log('app listening on http://127.0.0.1:3000/api/inngest');
});
`;
