import { isVigilError } from '../domain/errors.ts';
import { redactUrlCredentials } from '../domain/redact.ts';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/**
 * The one place where errors become what a CLI user sees: a message (and detail lines), never
 * a stack trace, unless VIGIL_DEBUG is set. Returns the exit code.
 */
export function renderError(error: unknown, write: (text: string) => void, debug = false): number {
  if (isVigilError(error)) {
    write(`vigil: ${redactUrlCredentials(error.message)}\n`);
    for (const line of error.details) write(`  ${redactUrlCredentials(line)}\n`);
    if (debug && error.cause) write(`cause: ${String((error.cause as Error)?.stack ?? error.cause)}\n`);
    if (error.code === 'aborted') return EXIT.interrupted;
    return error.code === 'invalid_argument' ? EXIT.usage : EXIT.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(`vigil: unexpected error: ${redactUrlCredentials(message)}\n`);
  if (debug && error instanceof Error && error.stack) write(`${error.stack}\n`);
  else write('  (set VIGIL_DEBUG=1 for details)\n');
  return EXIT.failure;
}
