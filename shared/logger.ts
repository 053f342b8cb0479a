import { pino, type Logger } from 'pino';

export type { Logger };

/** One JSON line per event on stdout. `WST_LOG_LEVEL` sets the level (default `info`). */
export function createLogger(name: string): Logger {
  return pino({
    name,
    level: process.env.WST_LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['token', '*.token', 'password', '*.password'], censor: '[secret]' },
  });
}

/**
 * Logs a line that scripts and supervisors wait for (`coordinator ready`, `agent ready`) at info
 * level even when `WST_LOG_LEVEL` is higher, so a quiet log level cannot hide it.
 */
export function announce(logger: Logger, fields: object, msg: string): void {
  logger.child({}, { level: 'info' }).info(fields, msg);
}
