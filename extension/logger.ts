// The one logger interface of the extension (CONVENTIONS.md §9), backed by the "Steplens"
// LogOutputChannel. Components get a child logger named after them; fields are appended as JSON.
import type * as vscode from 'vscode';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

export interface Logger {
  log(level: Level, message: string, fields?: Fields): void;
  trace(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
  /** A logger whose lines carry `[component]`. */
  child(component: string): Logger;
}

/** Writes lines through a sink; the channel adds timestamps and filters by the user's log level. */
export function createLogger(sink: (level: Level, line: string) => void, component?: string): Logger {
  const write = (level: Level, message: string, fields?: Fields): void => {
    let line = component ? `[${component}] ${message}` : message;
    if (fields && Object.keys(fields).length) line += ' ' + safeJson(fields);
    sink(level, line);
  };
  return {
    log: write,
    trace: (m, f) => write('trace', m, f),
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (name) => createLogger(sink, component ? `${component}/${name}` : name),
  };
}

/** The last lines logged, for failure reports in tests (`SteplensApi.recentLogs`). */
export const recentLines: string[] = [];

export function channelLogger(channel: vscode.LogOutputChannel): Logger {
  return createLogger((level, line) => {
    recentLines.push(`${level} ${line}`);
    if (recentLines.length > 300) recentLines.splice(0, 100);
    switch (level) {
      case 'trace':
        return channel.trace(line);
      case 'debug':
        return channel.debug(line);
      case 'info':
        return channel.info(line);
      case 'warn':
        return channel.warn(line);
      case 'error':
        return channel.error(line);
    }
  });
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (x instanceof Error ? { name: x.name, message: x.message } : x));
  } catch {
    return String(v);
  }
}

/** Formats an error with its cause chain, for logs and messages. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; e !== undefined && e !== null && i < 5; i++) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}
