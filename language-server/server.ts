// The Steplens language server's entry point: creates the connection (--stdio, --node-ipc or --socket,
// chosen by vscode-languageserver from argv) and routes each connection event to the Session's plain
// methods (features/session.ts). No analysis here. Never write to stdout: it is the LSP stream.
import {
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { EventsRequest, FunctionsRequest, IndexChangedNotification, StepLocationRequest } from './protocol';
import { createLogger, type Logger } from './features/logger';
import { PACKAGE_JSON_GLOB, Session, SOURCE_GLOB } from './features/session';
import { SETTINGS_SECTION } from './features/settings';
import { codeCache, describeCodeCache, describeSave } from './codeCache';

const connection: Connection = createConnection();
const documents = new TextDocuments(TextDocument);
let session: Session | undefined;
const logger: Logger = createLogger(connection.console, () => session?.currentSettings.logLevel ?? 'info');

// A stray console.log from any dependency would corrupt the stream: send it to the log instead.
console.log = (...args: unknown[]) => logger.log('info', args.map(String).join(' '));
console.info = console.log;
console.debug = (...args: unknown[]) => logger.log('debug', args.map(String).join(' '));
console.warn = (...args: unknown[]) => logger.log('warn', args.map(String).join(' '));
console.error = (...args: unknown[]) => logger.log('error', args.map(String).join(' '));
process.on('uncaughtException', (err) => logger.log('error', 'uncaught exception (the server keeps running)', { error: err, stack: err.stack }));
process.on('unhandledRejection', (err) => logger.log('error', 'unhandled rejection (the server keeps running)', { error: err }));

let clientCaps: InitializeParams['capabilities'] | undefined;

/** Runs a handler; a failure is logged and answered with `fallback`, never a crash. */
function guard<A extends unknown[], R>(name: string, fallback: R, fn: (s: Session, ...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    if (!session) return fallback;
    try {
      return fn(session, ...args);
    } catch (err) {
      logger.log('error', `${name} failed`, { error: err, stack: (err as Error)?.stack });
      return fallback;
    }
  };
}

function fireAndLog(name: string, p: Promise<unknown>): void {
  p.catch((err: unknown) => logger.log('error', `${name} failed`, { error: err, stack: (err as Error)?.stack }));
}

connection.onInitialize((params): InitializeResult => {
  clientCaps = params.capabilities;
  session = new Session({
    logger,
    output: {
      publishDiagnostics: (uri, diagnostics, version) => void connection.sendDiagnostics({ uri, diagnostics, version }),
      indexChanged: (p) => void connection.sendNotification(IndexChangedNotification.type, p),
    },
  });
  return { capabilities: session.initialize(params), serverInfo: { name: 'steplens-language-server', version: '0.1.0' } };
});

connection.onInitialized(() => {
  if (clientCaps?.workspace?.workspaceFolders) {
    connection.workspace.onDidChangeWorkspaceFolders(guard('didChangeWorkspaceFolders', undefined, (s, e) => fireAndLog('workspaceFolders', s.foldersChanged(e.added, e.removed))));
  }
  fireAndLog('start-up', start());
});

async function start(): Promise<void> {
  const s = session;
  if (!s) return;
  const cache = codeCache();
  if (cache) logger.log('info', describeCodeCache(cache));
  // Each step is optional: a client that refuses one still gets an index. The requests go out
  // together (one round trip to the client instead of four); all are answered before the crawl, so
  // the watchers see every change made while it runs and the settings (exclude) apply to it.
  const [, , , progress] = await Promise.all([
    clientCaps?.workspace?.didChangeWatchedFiles?.dynamicRegistration
      ? attempt('registering file watchers', () =>
          connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: SOURCE_GLOB }, { globPattern: PACKAGE_JSON_GLOB }] }),
        )
      : undefined,
    clientCaps?.workspace?.didChangeConfiguration?.dynamicRegistration
      ? attempt('registering for settings changes', () => connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }))
      : undefined,
    attempt('reading settings', pullSettings),
    clientCaps?.window?.workDoneProgress ? attempt('creating progress', () => connection.window.createWorkDoneProgress()) : undefined,
  ]);
  progress?.begin('Steplens: indexing', 0, 'finding files', false);
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    progress?.done();
  };
  try {
    await s.indexWorkspace({
      report: (done, total, message) => progress?.report(total ? Math.floor((done / total) * 100) : 100, message ?? `${done}/${total} files`),
      done: end,
    });
  } finally {
    end();
  }
  // The bundle's code cache now holds what indexing compiled; written once, off the request path.
  if (cache) setImmediate(() => void cache.save().then((r) => logger.log(r.kind === 'failed' ? 'warn' : 'info', describeSave(r))));
}

async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    logger.log('warn', `${what} failed; going on without it`, { error: err });
    return undefined;
  }
}

async function pullSettings(): Promise<void> {
  if (!session || !clientCaps?.workspace?.configuration) return;
  const raw: unknown = await connection.workspace.getConfiguration(SETTINGS_SECTION);
  if (raw) await session.updateSettings(raw);
}

connection.onDidChangeConfiguration((change) => {
  if (clientCaps?.workspace?.configuration) fireAndLog('settings', pullSettings());
  else if (session) fireAndLog('settings', session.updateSettings(change.settings));
});

documents.onDidChangeContent(guard('didChange', undefined, (s, e) => s.documentChanged(e.document)));
documents.onDidClose(guard('didClose', undefined, (s, e) => fireAndLog('didClose', s.documentClosed(e.document))));

connection.onDidChangeWatchedFiles(
  guard('didChangeWatchedFiles', undefined, (s, p) =>
    fireAndLog(
      'didChangeWatchedFiles',
      s.filesChanged(
        p.changes.map((c) => ({ uri: c.uri, type: c.type === FileChangeType.Created ? 'created' : c.type === FileChangeType.Deleted ? 'deleted' : 'changed' })),
      ),
    ),
  ),
);
connection.workspace.onDidCreateFiles(guard('didCreateFiles', undefined, (s, p) => fireAndLog('didCreateFiles', s.filesChanged(p.files.map((f) => ({ uri: f.uri, type: 'created' }))))));
connection.workspace.onDidDeleteFiles(guard('didDeleteFiles', undefined, (s, p) => fireAndLog('didDeleteFiles', s.filesChanged(p.files.map((f) => ({ uri: f.uri, type: 'deleted' }))))));
connection.workspace.onDidRenameFiles(guard('didRenameFiles', undefined, (s, p) => fireAndLog('didRenameFiles', s.filesRenamed(p.files))));

connection.onHover(guard('hover', null, (s, p) => s.hover(p.textDocument.uri, p.position)));
connection.onCompletion(guard('completion', [], (s, p) => s.completion(p.textDocument.uri, p.position, documents.get(p.textDocument.uri))));
connection.onDefinition(guard('definition', [], (s, p) => s.definition(p.textDocument.uri, p.position)));
connection.onReferences(guard('references', [], (s, p) => s.references(p.textDocument.uri, p.position, p.context.includeDeclaration)));
connection.onDocumentSymbol(guard('documentSymbol', [], (s, p) => s.documentSymbols(p.textDocument.uri)));
connection.onWorkspaceSymbol(guard('workspaceSymbol', [], (s, p) => s.workspaceSymbols(p.query)));
connection.onCodeAction(guard('codeAction', [], (s, p) => s.codeActions(p)));

connection.onRequest(FunctionsRequest.type, guard('functions', { functions: [], version: -1 }, (s, p) => s.functions(p)));
connection.onRequest(EventsRequest.type, guard('events', { events: [], version: -1 }, (s) => s.events()));
connection.onRequest(StepLocationRequest.type, guard('stepLocation', null, (s, p) => s.stepLocation(p)));

connection.onShutdown(async () => {
  await session?.dispose();
});

documents.listen(connection);
connection.listen();
