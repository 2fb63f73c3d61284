// The language server's settings: one typed object (CONVENTIONS.md §11), read from the client's
// `initializationOptions` and `workspace/configuration` section `steplens.languageServer`.
// `settingsSchema` describes the same keys for `contributes.configuration` in package.json.

export interface Settings {
  /** Globs (relative to a workspace folder, picomatch syntax) of files the index skips, on top of the built-in ones. */
  exclude: string[];
  /** Files larger than this many bytes get only a shallow read (imports/exports); the server says so once per file. */
  maxFileSize: number;
  /** Report `event-without-listener` hints. */
  hints: boolean;
  /** Log level of the server's output (`debug` shows every request). */
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  exclude: [],
  maxFileSize: 1_000_000,
  hints: true,
  logLevel: 'info',
});

/** The configuration section the server asks the client for. */
export const SETTINGS_SECTION = 'steplens.languageServer';

/** Folders never indexed, wherever they appear: dependencies, VCS data and common build output. */
export const BUILTIN_EXCLUDED_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'dist',
  'out',
  'build',
  '.next',
  '.nuxt',
  '.output',
  '.svelte-kit',
  '.vercel',
  '.netlify',
  '.turbo',
  '.cache',
  '.parcel-cache',
  'coverage',
  '.steplens',
  '.vscode-test',
]);

/** The JSON-schema-ish description of each key, for `contributes.configuration` (kept next to the type). */
export const settingsSchema: Record<`${typeof SETTINGS_SECTION}.${keyof Settings}`, { type: string; default: unknown; description: string; enum?: string[]; items?: { type: string } }> = {
  'steplens.languageServer.exclude': {
    type: 'array',
    items: { type: 'string' },
    default: DEFAULT_SETTINGS.exclude,
    description: 'Glob patterns (relative to the workspace folder) of files the Steplens language server does not index. node_modules and build output (dist, out, build, .next, ...) are always skipped.',
  },
  'steplens.languageServer.maxFileSize': {
    type: 'number',
    default: DEFAULT_SETTINGS.maxFileSize,
    description: 'Files larger than this many bytes are only read for imports and exports, not analysed (generated bundles, fixtures).',
  },
  'steplens.languageServer.hints': {
    type: 'boolean',
    default: DEFAULT_SETTINGS.hints,
    description: 'Show hints such as "event sent but no function listens to it".',
  },
  'steplens.languageServer.logLevel': {
    type: 'string',
    enum: ['error', 'warn', 'info', 'debug'],
    default: DEFAULT_SETTINGS.logLevel,
    description: 'How much the Steplens language server writes to its output channel.',
  },
};

const LOG_LEVELS: ReadonlyArray<Settings['logLevel']> = ['error', 'warn', 'info', 'debug'];

/**
 * Build a Settings object from whatever the client sent: a `steplens.languageServer` section, a
 * `{ steplens: { languageServer } }` tree, or flat dotted keys. Unknown or mistyped values fall back to defaults.
 */
export function parseSettings(raw: unknown, base: Readonly<Settings> = DEFAULT_SETTINGS): Settings {
  const out: Settings = { ...base, exclude: [...base.exclude] };
  const section = pickSection(raw);
  if (!section) return out;
  const exclude = section['exclude'];
  if (Array.isArray(exclude)) out.exclude = exclude.filter((x): x is string => typeof x === 'string' && x.trim() !== '');
  else if (exclude && typeof exclude === 'object') {
    // VS Code's files.exclude style: { "glob": true }
    out.exclude = Object.entries(exclude as Record<string, unknown>).filter(([, v]) => v === true).map(([k]) => k);
  }
  const maxFileSize = section['maxFileSize'];
  if (typeof maxFileSize === 'number' && Number.isFinite(maxFileSize) && maxFileSize > 0) out.maxFileSize = maxFileSize;
  const hints = section['hints'];
  if (typeof hints === 'boolean') out.hints = hints;
  const logLevel = section['logLevel'];
  // The extension's own `steplens.logLevel` also has `trace`: the server's finest level is `debug`.
  if (logLevel === 'trace') out.logLevel = 'debug';
  else if (typeof logLevel === 'string' && (LOG_LEVELS as readonly string[]).includes(logLevel)) out.logLevel = logLevel as Settings['logLevel'];
  return out;
}

function pickSection(raw: unknown): Record<string, unknown> | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const nested = (r['steplens'] as Record<string, unknown> | undefined)?.['languageServer'];
  if (nested && typeof nested === 'object') return nested as Record<string, unknown>;
  const flat: Record<string, unknown> = {};
  let sawFlat = false;
  for (const [k, v] of Object.entries(r)) {
    if (k.startsWith(`${SETTINGS_SECTION}.`)) {
      flat[k.slice(SETTINGS_SECTION.length + 1)] = v;
      sawFlat = true;
    }
  }
  if (sawFlat) return flat;
  return r;
}
