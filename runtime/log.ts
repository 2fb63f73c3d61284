// The one logger interface of the runtime (CONVENTIONS.md §9). The CLI backs it with stderr so
// that stdout carries only the ready line.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that tags every line with `component`. */
  child(component: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function parseLogLevel(s: string | undefined): LogLevel {
  return s === 'debug' || s === 'info' || s === 'warn' || s === 'error' ? s : 'info';
}

export function createLogger(
  write: (line: string) => void,
  minLevel: LogLevel = 'info',
  component = 'executor',
): Logger {
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[level] < ORDER[minLevel]) return;
    let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${component}] ${message}`;
    if (fields && Object.keys(fields).length > 0) {
      try {
        line += ' ' + JSON.stringify(fields);
      } catch {
        line += ' {unserializable fields}';
      }
    }
    write(line);
  };
  return {
    log,
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (c) => createLogger(write, minLevel, c),
  };
}

export const stderrLogger = (level: LogLevel = 'info'): Logger =>
  createLogger((line) => process.stderr.write(line + '\n'), level);

export const silentLogger: Logger = createLogger(() => undefined, 'error');
