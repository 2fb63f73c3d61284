// File summaries by uri. Files that cannot hold a client, function, schema chain, eventType, step or
// send are kept as text and parsed only when another file's import needs their types or exports:
// in a large workspace most files are never parsed at all.
import { extractFile } from './extract';
import type { Logger } from './model';
import { emptySummary, type FileSummary } from './summary';

const RELEVANT = /inngest|createFunction|EventSchemas|eventType|staticSchema|\bstep\b|\.send\s*\(/;

export class SummaryStore {
  private readonly parsed = new Map<string, FileSummary>();
  private readonly pending = new Map<string, { text: string; shallow: boolean }>();

  constructor(private readonly logger?: Logger) {}

  /** Throws when the file cannot be analysed (the caller keeps the previous summary). */
  set(uri: string, text: string, shallow: boolean): void {
    if (RELEVANT.test(text)) {
      const s = extractFile(uri, text, shallow);
      this.pending.delete(uri);
      this.parsed.set(uri, s);
    } else {
      this.parsed.delete(uri);
      this.pending.set(uri, { text, shallow });
    }
  }

  setEmpty(uri: string): void {
    this.pending.delete(uri);
    this.parsed.set(uri, emptySummary(uri));
  }

  has(uri: string): boolean {
    return this.parsed.has(uri) || this.pending.has(uri);
  }

  get(uri: string): FileSummary | undefined {
    const s = this.parsed.get(uri);
    if (s) return s;
    const p = this.pending.get(uri);
    if (!p) return undefined;
    let summary: FileSummary;
    try {
      summary = extractFile(uri, p.text, p.shallow);
    } catch (err) {
      this.logger?.log('error', `Could not analyse ${uri}; treating it as empty.`, { uri, error: err instanceof Error ? err.stack ?? err.message : String(err) });
      summary = emptySummary(uri);
    }
    this.pending.delete(uri);
    this.parsed.set(uri, summary);
    return summary;
  }

  /** Not parsed yet, hence holding no step, function, send or schema (so no diagnostics either). */
  isPending(uri: string): boolean {
    return this.pending.has(uri);
  }

  delete(uri: string): boolean {
    const a = this.parsed.delete(uri);
    const b = this.pending.delete(uri);
    return a || b;
  }

  clear(): void {
    this.parsed.clear();
    this.pending.clear();
  }

  keys(): string[] {
    return [...this.parsed.keys(), ...this.pending.keys()];
  }

  /** Parsed summaries: every file that can declare clients, functions, schemas or sends is among them. */
  values(): FileSummary[] {
    return [...this.parsed.values()];
  }
}
