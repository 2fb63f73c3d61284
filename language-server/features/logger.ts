// The server's one logger interface (CONVENTIONS.md §9). Backed by the LSP connection's console in
// server.ts; never by stdout (on --stdio a stray print corrupts the JSON-RPC stream).

// The shape is the analysis core's Logger (one interface for the whole server) plus child().
import type { Logger as AnalysisLogger, LogLevel } from '../analysis/model';

export type { LogLevel };

export interface Logger extends AnalysisLogger {
  /** A logger whose lines carry `component`. */
  child(component: string): Logger;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LogSink {
  error(line: string): void;
  warn(line: string): void;
  info(line: string): void;
  log(line: string): void;
}

/** A logger writing `[component] message {fields}` lines to a sink (the LSP console), filtered by level. */
export function createLogger(sink: LogSink, level: () => LogLevel, component = 'server'): Logger {
  return {
    log(lvl, message, fields) {
      if (RANK[lvl] > RANK[level()]) return;
      const extra = fields && Object.keys(fields).length ? ` ${safeJson(fields)}` : '';
      const line = `[${component}] ${message}${extra}`;
      switch (lvl) {
        case 'error':
          sink.error(line);
          return;
        case 'warn':
          sink.warn(line);
          return;
        case 'info':
          sink.info(line);
          return;
        case 'debug':
          sink.log(line);
          return;
        default: {
          const never: never = lvl;
          return never;
        }
      }
    },
    child(c) {
      return createLogger(sink, level, `${component}/${c}`);
    },
  };
}

/** A logger that drops everything (tests, benches). */
export const nullLogger: Logger = { log() {}, child: () => nullLogger };

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (x instanceof Error ? { name: x.name, message: x.message } : x));
  } catch {
    return '[unserialisable]';
  }
}
