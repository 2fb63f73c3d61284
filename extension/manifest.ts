// The extension's manifest contributions, written once in TypeScript (CONVENTIONS.md §11):
// command ids, view ids, the settings schema and the typed Settings object all come from here.
// package.json's "contributes" is generated from `contributes` below
// (`node --import tsx extension/manifest.ts --write`), and test/extension/manifest.test.ts checks
// that the two agree. Pure: no `vscode` import, so tests and tools load it in plain Node.

export const EXTENSION_ID = 'steplens.steplens';
export const SECTION = 'steplens';

// --- Settings ------------------------------------------------------------------------------------

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** Every setting, typed. `readSettings` builds it from the configuration; nothing else reads config keys. */
export interface Settings {
  /** Preferred executor port; the next free one is used when it is taken. */
  port: number;
  /** App serve URLs to sync at start (e.g. http://127.0.0.1:3000/api/inngest). */
  appUrls: string[];
  /** Probe common local ports for apps. */
  discovery: boolean;
  /** Where the executor keeps its database; empty: the extension's workspace storage. */
  dataFolder: string;
  /** Start the executor and language server when a workspace depends on inngest. */
  autoStart: boolean;
  /** Detail of the logs the executor and language server write to the Steplens channel. */
  logLevel: LogLevel;
}

interface SettingSpecBase {
  description: string;
  markdownDescription?: string;
  order: number;
}
type SettingSpec<T> = [T] extends [number]
  ? SettingSpecBase & { type: 'number'; default: number; minimum?: number; maximum?: number }
  : [T] extends [boolean]
    ? SettingSpecBase & { type: 'boolean'; default: boolean }
    : [T] extends [string[]]
      ? SettingSpecBase & { type: 'array'; items: { type: 'string' }; default: string[] }
      : [T] extends [string]
        ? SettingSpecBase & { type: 'string'; default: T; enum?: readonly T[] }
        : never;
type AnySettingSpec = SettingSpec<number> | SettingSpec<boolean> | SettingSpec<string[]> | SettingSpec<string>;

/** The schema of each setting, keyed like `Settings` so a missing or extra key fails to compile. */
export const SETTINGS: { [K in keyof Settings]: SettingSpec<Settings[K]> } = {
  port: {
    type: 'number',
    default: 8288,
    minimum: 1,
    maximum: 65535,
    order: 0,
    description:
      'Port of the embedded executor. When it is taken (for example by `npx inngest-cli dev`), the next free port is used and Steplens shows the INNGEST_DEV line to point your app at it.',
  },
  appUrls: {
    type: 'array',
    items: { type: 'string' },
    default: [],
    order: 1,
    description: 'URLs of your apps\' serve endpoints to sync at start, e.g. http://127.0.0.1:3000/api/inngest.',
  },
  discovery: {
    type: 'boolean',
    default: true,
    order: 2,
    description: 'Look for apps on common local ports and paths (like `inngest dev` does).',
  },
  dataFolder: {
    type: 'string',
    default: '',
    order: 3,
    description:
      'Folder where the executor keeps runs and events. Relative paths start at the first workspace folder. Empty: the extension\'s workspace storage.',
  },
  autoStart: {
    type: 'boolean',
    default: true,
    order: 4,
    description: 'Start the executor and the language server when the workspace depends on `inngest`.',
  },
  logLevel: {
    type: 'string',
    enum: ['trace', 'debug', 'info', 'warn', 'error'],
    default: 'info',
    order: 5,
    description: 'How much the executor and the language server write to the Steplens output channel.',
  },
};

export const SETTING_KEYS = Object.keys(SETTINGS) as (keyof Settings)[];

/** Builds the typed Settings from any getter (vscode's WorkspaceConfiguration in the extension). */
export function readSettings(get: <K extends keyof Settings>(key: K) => Settings[K] | undefined): Settings {
  const out = {} as Record<keyof Settings, unknown>;
  for (const key of SETTING_KEYS) {
    const spec: AnySettingSpec = SETTINGS[key];
    const v = get(key);
    out[key] = isOfType(v, spec) ? v : spec.default;
  }
  return out as unknown as Settings;
}

function isOfType(v: unknown, spec: AnySettingSpec): boolean {
  switch (spec.type) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'string':
      return typeof v === 'string' && (!spec.enum || (spec.enum as readonly string[]).includes(v));
  }
}

// --- Commands, views, contexts -------------------------------------------------------------------

export const Commands = {
  startExecutor: 'steplens.startExecutor',
  stopExecutor: 'steplens.stopExecutor',
  restartExecutor: 'steplens.restartExecutor',
  openPanel: 'steplens.openPanel',
  sendTestEvent: 'steplens.sendTestEvent',
  sendLastPayload: 'steplens.sendLastPayload',
  invokeFunction: 'steplens.invokeFunction',
  replayRun: 'steplens.replayRun',
  syncApp: 'steplens.syncApp',
  showLogs: 'steplens.showLogs',
  openRun: 'steplens.openRun',
  openFunctionSource: 'steplens.openFunctionSource',
  resendEvent: 'steplens.resendEvent',
  copyDevEnv: 'steplens.copyDevEnv',
  addExample: 'steplens.addExample',
  refresh: 'steplens.refresh',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  container: 'steplens',
  functions: 'steplens.functions',
  runs: 'steplens.runs',
  events: 'steplens.events',
} as const;

/** `when`-clause contexts the extension sets. */
export const Contexts = {
  hasInngest: 'steplens.hasInngest',
  executorRunning: 'steplens.executorRunning',
} as const;

/** Tree item `contextValue`s, for menus. */
export const ItemContexts = {
  function: 'steplens.function',
  eventFunction: 'steplens.function.event',
  run: 'steplens.run',
  failedRun: 'steplens.run.failed',
  event: 'steplens.event',
  app: 'steplens.app',
  /** An app whose last sync failed. */
  appError: 'steplens.app.error',
} as const;

const CATEGORY = 'Steplens';

interface CommandSpec {
  command: CommandId;
  title: string;
  category?: string;
  icon?: string;
  /** Hidden from the command palette (needs arguments). */
  internal?: boolean;
}

const COMMANDS: CommandSpec[] = [
  { command: Commands.startExecutor, title: 'Start Executor', icon: '$(play)' },
  { command: Commands.stopExecutor, title: 'Stop Executor', icon: '$(debug-stop)' },
  { command: Commands.restartExecutor, title: 'Restart Executor', icon: '$(debug-restart)' },
  { command: Commands.openPanel, title: 'Open Panel', icon: '$(preview)' },
  { command: Commands.sendTestEvent, title: 'Send Test Event', icon: '$(send)' },
  { command: Commands.sendLastPayload, title: 'Send Last Payload Again', icon: '$(redo)' },
  { command: Commands.invokeFunction, title: 'Invoke Function', icon: '$(play-circle)' },
  { command: Commands.replayRun, title: 'Replay Run', icon: '$(debug-rerun)' },
  { command: Commands.syncApp, title: 'Sync App', icon: '$(sync)' },
  { command: Commands.showLogs, title: 'Show Logs', icon: '$(output)' },
  { command: Commands.openRun, title: 'Open Run', internal: true },
  { command: Commands.openFunctionSource, title: 'Go to Source', icon: '$(go-to-file)', internal: true },
  { command: Commands.resendEvent, title: 'Send Again', icon: '$(redo)', internal: true },
  { command: Commands.copyDevEnv, title: 'Copy INNGEST_DEV Line', icon: '$(copy)' },
  { command: Commands.addExample, title: 'Add an Example Function', icon: '$(add)' },
  { command: Commands.refresh, title: 'Refresh', icon: '$(refresh)' },
];

const WELCOME_NO_INNGEST = [
  'Steplens shows the durable functions of projects that use the inngest SDK: send them test events from the code, watch runs step by step, and replay failures after a fix.',
  'No package in this workspace depends on inngest yet.',
  `[Add an Example Function](command:${Commands.addExample})`,
  'It adds inngest to package.json, a function in src/inngest/functions.ts and a serve route in src/inngest/serve.ts.',
].join('\n');

/** package.json "contributes", generated from the tables above. */
export const contributes = {
  configuration: {
    title: 'Steplens',
    properties: Object.fromEntries(
      SETTING_KEYS.map((k) => [`${SECTION}.${k}`, { ...SETTINGS[k] }]),
    ),
  },
  commands: COMMANDS.map(({ command, title, icon }) => ({ command, title, category: CATEGORY, ...(icon ? { icon } : {}) })),
  viewsContainers: {
    activitybar: [{ id: Views.container, title: 'Steplens', icon: 'extension/resources/steplens.svg' }],
  },
  views: {
    [Views.container]: [
      { id: Views.functions, name: 'Functions', icon: 'extension/resources/steplens.svg', contextualTitle: 'Steplens' },
      { id: Views.runs, name: 'Runs', icon: 'extension/resources/steplens.svg', contextualTitle: 'Steplens' },
      { id: Views.events, name: 'Events', icon: 'extension/resources/steplens.svg', contextualTitle: 'Steplens' },
    ],
  },
  viewsWelcome: [
    { view: Views.functions, contents: WELCOME_NO_INNGEST, when: `!${Contexts.hasInngest}` },
    {
      view: Views.runs,
      contents: `No runs yet. Send a test event from the CodeLens above a function, or:\n[Open Panel](command:${Commands.openPanel})`,
      when: Contexts.hasInngest,
    },
    {
      view: Views.events,
      contents: `No events yet.\n[Send Test Event](command:${Commands.sendTestEvent})`,
      when: Contexts.hasInngest,
    },
  ],
  menus: {
    commandPalette: COMMANDS.filter((c) => c.internal).map((c) => ({ command: c.command, when: 'false' })),
    'view/title': [
      { command: Commands.syncApp, when: `view == ${Views.functions} && ${Contexts.hasInngest}`, group: 'navigation@1' },
      { command: Commands.refresh, when: `view == ${Views.functions} && ${Contexts.hasInngest}`, group: 'navigation@2' },
      { command: Commands.openPanel, when: `view == ${Views.runs} && ${Contexts.hasInngest}`, group: 'navigation@1' },
      { command: Commands.restartExecutor, when: `view == ${Views.runs} && ${Contexts.hasInngest}`, group: 'navigation@2' },
      { command: Commands.showLogs, when: `view =~ /^steplens\\./`, group: 'z_logs' },
    ],
    'view/item/context': [
      { command: Commands.sendTestEvent, when: `viewItem == ${ItemContexts.eventFunction}`, group: 'inline@1' },
      { command: Commands.invokeFunction, when: `viewItem =~ /^steplens\\.function/`, group: 'inline@2' },
      { command: Commands.openFunctionSource, when: `viewItem =~ /^steplens\\.function/`, group: 'navigation@1' },
      { command: Commands.replayRun, when: `viewItem =~ /^steplens\\.run/`, group: 'inline@1' },
      { command: Commands.resendEvent, when: `viewItem == ${ItemContexts.event}`, group: 'inline@1' },
      { command: Commands.syncApp, when: `viewItem =~ /^steplens\\.app/`, group: 'inline@1' },
      { command: Commands.copyDevEnv, when: `viewItem == ${ItemContexts.appError}`, group: 'inline@2' },
    ],
  },
};

/** package.json "activationEvents": a workspace with a package.json (activate() then checks for inngest). */
export const activationEvents = [
  'workspaceContains:package.json',
  'workspaceContains:*/package.json',
  'workspaceContains:{packages,apps,services}/*/package.json',
  `onView:${Views.functions}`,
];

/** A setting schema as package.json holds it (the language server contributes its own). */
export type ConfigurationProperty = { type: string; default: unknown; description: string; enum?: readonly string[]; items?: { type: string } };

/**
 * package.json "contributes": the tables above plus the language server's own settings
 * (`settingsSchema` of language-server/features/settings.ts, section steplens.languageServer),
 * passed in so the extension bundle does not import server code.
 */
export function fullContributes(serverSettings: Record<string, ConfigurationProperty>): Omit<typeof contributes, 'configuration'> & {
  configuration: { title: string; properties: Record<string, unknown> };
} {
  return {
    ...contributes,
    configuration: { ...contributes.configuration, properties: { ...contributes.configuration.properties, ...serverSettings } },
  };
}

/** Other package.json fields the extension owns. */
export const packageFields = {
  icon: 'extension/resources/icon.png',
  galleryBanner: { color: '#1f2430', theme: 'dark' },
};

// `node --import tsx extension/manifest.ts --write` rewrites package.json's contributes,
// activationEvents, icon and galleryBanner (run it under the npm lock: flock /tmp/steplens-npm.lock ...).
if (typeof process !== 'undefined' && process.argv[1]?.endsWith('manifest.ts') && process.argv.includes('--write')) {
  void (async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const file = path.join(path.dirname(process.argv[1]!), '..', 'package.json');
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const server = (await import('../language-server/features/settings')) as { settingsSchema: Record<string, ConfigurationProperty> };
    pkg.contributes = fullContributes(server.settingsSchema);
    pkg.activationEvents = activationEvents;
    Object.assign(pkg, packageFields);
    fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
    console.log(`wrote contributes and activationEvents to ${file}`);
  })();
}
