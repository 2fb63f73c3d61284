// `steplens dev`: the CLI contract of issue 2. stdout carries exactly one line (the ready line);
// every log goes to stderr through the one logger.
import { resolve } from 'node:path';
import { Executor, PortInUseError, type ExecutorOptions } from './executor';
import { parseLogLevel, stderrLogger } from './log';
import { StoreOpenError } from './store/db';

const HELP = `Usage: steplens dev [options]

Runs the Steplens dev executor: syncs your Inngest apps, receives events and runs functions.

Options:
  -p, --port PORT            port to listen on (default 8288; 0 picks a free port)
      --host HOST            address to bind (default 127.0.0.1)
  -u, --sdk-url URL          an app's Inngest endpoint, e.g. http://127.0.0.1:3000/api/inngest (repeatable)
      --no-discovery         do not look for apps on the usual local ports
      --data-dir DIR         where runs and events are stored (default .steplens in the current folder)
      --retry-interval SECS  retry failed steps after a fixed delay instead of the backoff table
      --poll-interval SECS   how often apps are re-synced (default 5)
      --signing-key KEY      sign requests to apps (for apps in cloud mode)
      --log-level LEVEL      debug | info | warn | error (default info)
  -h, --help                 show this help

Start your app with INNGEST_DEV=1 (or INNGEST_DEV=http://127.0.0.1:PORT) so it talks to Steplens.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The parsed `steplens dev` flags: the executor's own options, plus how much to log. */
export type DevArgs = Pick<
  ExecutorOptions,
  'port' | 'host' | 'sdkUrls' | 'discovery' | 'dataDir' | 'retryIntervalMs' | 'pollIntervalMs' | 'signingKey'
> & { logLevel: string };

function seconds(flag: string, v: string | undefined): number {
  if (v === undefined) throw new UsageError(`${flag} needs a number of seconds, e.g. ${flag} 0.5`);
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} needs a number of seconds, got ${JSON.stringify(v)}`);
  return n;
}

export function parseDevArgs(argv: string[], cwd = process.cwd()): DevArgs {
  const a: DevArgs = { port: 8288, host: '127.0.0.1', sdkUrls: [], discovery: true, dataDir: resolve(cwd, '.steplens'), pollIntervalMs: 5000, logLevel: process.env.STEPLENS_LOG_LEVEL ?? 'info' };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (arg) {
      case '-p':
      case '--port': {
        const v = value();
        const n = Number(v);
        if (v === undefined || !/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port needs a port number between 0 and 65535, got ${JSON.stringify(v ?? '')}`);
        a.port = n;
        break;
      }
      case '--host': {
        const v = value();
        if (!v) throw new UsageError('--host needs an address, e.g. 127.0.0.1');
        a.host = v;
        break;
      }
      case '-u':
      case '--sdk-url': {
        const given = value();
        if (!given) throw new UsageError('--sdk-url needs a URL, e.g. http://127.0.0.1:3000/api/inngest');
        // `-u localhost:3000/api/inngest`, as blog posts write it: http is meant (inngest dev adds it too).
        const v = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `http://${given}`;
        try {
          const u = new URL(v);
          if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
        } catch {
          throw new UsageError(`--sdk-url needs an http(s) URL, got ${JSON.stringify(v)}`);
        }
        a.sdkUrls.push(v);
        break;
      }
      case '--no-discovery':
        a.discovery = false;
        break;
      case '--data-dir': {
        const v = value();
        if (!v) throw new UsageError('--data-dir needs a folder');
        a.dataDir = resolve(cwd, v);
        break;
      }
      case '--retry-interval':
        a.retryIntervalMs = seconds('--retry-interval', value()) * 1000;
        break;
      case '--poll-interval': {
        const s = seconds('--poll-interval', value());
        if (s <= 0) throw new UsageError('--poll-interval must be more than 0 seconds');
        a.pollIntervalMs = s * 1000;
        break;
      }
      case '--signing-key': {
        const v = value();
        if (!v) throw new UsageError('--signing-key needs a key, e.g. signkey-test-...');
        a.signingKey = v;
        break;
      }
      case '--log-level': {
        const v = value();
        if (!v || !['debug', 'info', 'warn', 'error'].includes(v)) throw new UsageError('--log-level is one of debug, info, warn, error');
        a.logLevel = v;
        break;
      }
      default:
        throw new UsageError(`unknown option ${JSON.stringify(arg)}`);
    }
  }
  return a;
}

/** `STEPLENS_CPU_PROFILE=file.cpuprofile`: profile the executor until it stops (for perf work). */
async function startProfileIfAsked(log: { info(m: string): void }): Promise<() => Promise<void>> {
  const file = process.env.STEPLENS_CPU_PROFILE;
  if (!file) return async () => undefined;
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  log.info(`CPU profile -> ${file}`);
  return async () => {
    const r = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(r.profile));
    session.disconnect();
  };
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    process.stdout.write(HELP + '\n');
    return cmd === undefined ? 1 : 0;
  }
  if (cmd === '-v' || cmd === '--version') {
    process.stdout.write('steplens 0.1.0\n');
    return 0;
  }
  if (cmd !== 'dev') {
    process.stderr.write(`steplens: unknown command ${JSON.stringify(cmd)}\n\n${HELP}\n`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  let args: DevArgs;
  try {
    args = parseDevArgs(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`steplens: ${e.message}\nRun \`steplens --help\` for the options.\n`);
      return 2;
    }
    throw e;
  }
  const log = stderrLogger(parseLogLevel(args.logLevel));
  const stopProfile = await startProfileIfAsked(log);
  const ex = new Executor({
    port: args.port,
    host: args.host,
    sdkUrls: args.sdkUrls,
    discovery: args.discovery,
    dataDir: args.dataDir,
    retryIntervalMs: args.retryIntervalMs,
    pollIntervalMs: args.pollIntervalMs,
    signingKey: args.signingKey ?? process.env.INNGEST_SIGNING_KEY,
    log,
  });
  try {
    const { url } = await ex.start();
    process.stdout.write(`Steplens dev server ready at ${url}\n`);
    log.info(`data in ${args.dataDir}; start your app with INNGEST_DEV=${url}`);
  } catch (e) {
    if (e instanceof PortInUseError || e instanceof StoreOpenError) process.stderr.write(`steplens: ${e.message}\n`);
    else process.stderr.write(`steplens: could not start: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (sig: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`${sig}: stopping`);
      ex.dispose().then(
        async () => {
          await stopProfile();
          resolveExit(0);
        },
        (e: unknown) => {
          log.error(`error while stopping: ${(e as Error)?.message ?? String(e)}`);
          resolveExit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    // Started by an editor or a script that died without signalling us (kill -9, a crash): the
    // pipes to it break, or we are re-parented. Stop rather than live on as an orphan.
    for (const stream of [process.stdout, process.stderr]) {
      stream.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') stop('output closed');
      });
    }
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop('parent process exited');
    }, 2000).unref();
  });
}

process.on('uncaughtException', (e) => process.stderr.write(`steplens: unexpected error (kept running): ${e?.stack ?? String(e)}\n`));
process.on('unhandledRejection', (e) => process.stderr.write(`steplens: unexpected rejection (kept running): ${(e as Error)?.stack ?? String(e)}\n`));

if (/(?:^|[\\/])(?:steplens(?:\.js)?|cli\.(?:js|ts))$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`steplens: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
