// Turns the analysis' diagnostics into LSP diagnostics and publishes them: the edited file at once
// (edit-to-diagnostics latency), every other file in a debounced sweep (an edit in one file can add or
// clear diagnostics in another, e.g. a renamed event). Only changed sets are sent.
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import { DIAGNOSTIC_SOURCE, type Severity, type SteplensDiagnostic, type WorkspaceIndex } from '../analysis/index';
import type { Logger } from './logger';
import type { Settings } from './settings';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(d: SteplensDiagnostic): Diagnostic {
  const out: Diagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: DIAGNOSTIC_SOURCE,
    message: d.message,
  };
  if (d.data) out.data = d.data;
  if (d.code === 'event-without-listener') out.tags = [DiagnosticTag.Unnecessary];
  if (d.relatedInformation?.length) out.relatedInformation = d.relatedInformation.map((r) => ({ location: r.location, message: r.message }));
  return out;
}

/** LSP diagnostics of one file, with the settings applied (hints can be switched off). */
export function fileDiagnostics(index: WorkspaceIndex, uri: string, settings: Settings): Diagnostic[] {
  let list: SteplensDiagnostic[];
  try {
    list = index.diagnostics(uri);
  } catch {
    return [];
  }
  if (!settings.hints) list = list.filter((d) => d.severity !== 'hint');
  return list.map(toLspDiagnostic);
}

/** Longest stretch the workspace-wide sweep runs before yielding to incoming messages. */
const SLICE_MS = 8;

export interface DiagnosticsSink {
  publish(uri: string, diagnostics: Diagnostic[], version?: number): void;
}

export class DiagnosticsPublisher {
  /** Last published set per URI, as a comparable key. */
  private readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private generation = 0;

  constructor(
    private readonly opts: {
      index: () => WorkspaceIndex;
      settings: () => Settings;
      sink: DiagnosticsSink;
      logger: Logger;
      /** Delay of the workspace-wide sweep after a change. */
      sweepDelayMs?: number;
      /** Which URIs get diagnostics (source files; not package.json). */
      include?: (uri: string) => boolean;
    },
  ) {}

  /** Publish one file now, even when unchanged (the editor gets an answer to every edit), tagged with the document version. */
  publishNow(uri: string, version?: number): void {
    if (this.disposed) return;
    const diags = fileDiagnostics(this.opts.index(), uri, this.opts.settings());
    this.send(uri, diags, true, version);
  }

  /** Recompute every file soon; coalesces bursts of edits. */
  scheduleSweep(): void {
    if (this.disposed) return;
    this.generation++; // a sweep in progress stops at its next slice
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sweep();
    }, this.opts.sweepDelayMs ?? 120);
  }

  /**
   * Recompute every file; clears files that left the index. Works in slices of a few milliseconds and
   * yields between them, so an edit arriving meanwhile is answered at once; a newer sweep supersedes it.
   */
  async sweep(): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    const include = this.opts.include ?? (() => true);
    const uris = this.opts.index().uris().filter(include);
    const seen = new Set(uris);
    const started = Date.now();
    let sliceStart = performance.now();
    for (const uri of uris) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (generation !== this.generation || this.disposed) return;
        sliceStart = performance.now();
      }
      this.send(uri, fileDiagnostics(this.opts.index(), uri, this.opts.settings()));
    }
    for (const uri of [...this.last.keys()]) {
      if (!seen.has(uri)) this.send(uri, []);
    }
    this.opts.logger.log('debug', 'diagnostics sweep', { files: seen.size, ms: Date.now() - started });
  }

  /** Forget (and clear in the editor) one file's diagnostics. */
  clear(uri: string): void {
    this.send(uri, []);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private send(uri: string, diagnostics: Diagnostic[], force = false, version?: number): void {
    const key = diagnostics.length === 0 ? '' : JSON.stringify(diagnostics);
    const prev = this.last.get(uri);
    if (!force && (prev === key || (prev === undefined && key === ''))) return;
    if (key === '') this.last.delete(uri);
    else this.last.set(uri, key);
    this.opts.sink.publish(uri, diagnostics, version);
  }
}
