import { pino } from 'pino';
import type { LogLevel } from '../../config/index.ts';
import type { Logger } from '../../ports/logger.ts';

/** Structured logs on stderr, so that stdout stays clean for results and --json; secrets are censored. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: undefined, redact: { paths: ['*.password', '*.api_key', '*.token'], censor: '***' } }, pino.destination(2));
}
