// The language client: starts dist/language-server.js over IPC, feeds the model with the
// functions and events it finds, and stops restarting after repeated crashes (CONVENTIONS.md §10).
import type * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  EventsRequest,
  FunctionsRequest,
  IndexChangedNotification,
  StepLocationRequest,
  type Loc,
} from '../language-server/protocol';
import type { Logger } from './logger';
import { RestartPolicy } from './restartPolicy';
import type { Model } from './model';
import type { Scope } from './scopes';

export const DOCUMENT_SELECTOR = ['typescript', 'javascript', 'typescriptreact', 'javascriptreact'].map((language) => ({
  scheme: 'file',
  language,
}));

/** Adapts RestartPolicy to the client's ErrorHandler; says once when it gives up. */
export class RestartLimiter implements ErrorHandler {
  private readonly policy = new RestartPolicy();
  stopped = false;
  constructor(private readonly onGiveUp: (message: string) => void) {}
  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    return { action: this.policy.error(count) === 'continue' ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
  }
  closed(): CloseHandlerResult {
    const d = this.policy.closed();
    if (d.action === 'stop') {
      this.stopped = true;
      this.onGiveUp(d.message);
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    return { action: CloseAction.Restart, handled: true };
  }
}

export interface StepLensClient {
  client: LanguageClient;
  refresh(): Promise<void>;
  stepLocation(functionId: string, stepId: string): Promise<Loc | null>;
}

export async function startLanguageClient(opts: {
  serverModule: string;
  /** Where the server keeps its V8 code cache (the extension's global storage); the server's default otherwise. */
  codeCacheDir?: string;
  channel: vscode.LogOutputChannel;
  log: Logger;
  model: Model;
  scope: Scope;
  logLevel: string;
  onGiveUp: (message: string) => void;
}): Promise<StepLensClient> {
  const { serverModule, log, model, scope } = opts;
  const args = opts.codeCacheDir ? ['--code-cache-dir', opts.codeCacheDir] : [];
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, args },
    debug: { module: serverModule, transport: TransportKind.ipc, args, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: opts.channel,
    errorHandler: new RestartLimiter(opts.onGiveUp),
    initializationOptions: { logLevel: opts.logLevel },
    diagnosticCollectionName: 'steplens',
  };
  const client = new LanguageClient('steplens', 'Steplens Language Server', serverOptions, clientOptions);
  scope.push({ dispose: () => client.dispose(2000) });

  let inflight: Promise<void> | undefined;
  let again = false;
  const refresh = async (): Promise<void> => {
    if (inflight) {
      again = true;
      return inflight;
    }
    inflight = (async () => {
      do {
        again = false;
        try {
          const [fns, evs] = await Promise.all([
            client.sendRequest(FunctionsRequest.type, {}),
            client.sendRequest(EventsRequest.type, {}),
          ]);
          model.setKnownEvents(evs.events);
          model.setSourceFunctions(fns.functions);
          log.debug('index refreshed', { functions: fns.functions.length, events: evs.events.length, version: fns.version });
        } catch (err) {
          log.warn('could not read the index from the language server', { err });
        }
      } while (again);
    })().finally(() => (inflight = undefined));
    return inflight;
  };

  // Registered before start: the server sends its first indexChanged right after `initialized`.
  scope.push(client.onNotification(IndexChangedNotification.type, () => void refresh()));
  await client.start();
  await refresh();
  return {
    client,
    refresh,
    stepLocation: (functionId, stepId) => client.sendRequest(StepLocationRequest.type, { functionId, stepId }),
  };
}
