/** How much of a value from the request an error message repeats. */
export const ECHO_MAX_CHARS = 80;
/** How many names from the request (unknown parameters, unknown fields) an error message lists. */
const ECHO_MAX_NAMES = 5;

/**
 * A value from the request as an error message quotes it: at most {@link ECHO_MAX_CHARS}
 * characters, then `…`, so that a 5,000-character id does not come back whole (nor fill a log).
 * Counted in code points, so that a cut never splits a surrogate pair.
 */
export function echo(value: string): string {
  const points = Array.from(value.slice(0, 2 * ECHO_MAX_CHARS + 2));
  return points.length > ECHO_MAX_CHARS ? `"${points.slice(0, ECHO_MAX_CHARS).join('')}…"` : `"${value}"`;
}

/** Names from the request, each echoed, at most a few of them: `"a", "b" and 7 more`. */
export function echoList(values: readonly string[]): string {
  const shown = values.slice(0, ECHO_MAX_NAMES).map(echo).join(', ');
  return values.length > ECHO_MAX_NAMES ? `${shown} and ${values.length - ECHO_MAX_NAMES} more` : shown;
}

/** The last guard for messages built elsewhere (services quote ids too): no message grows with the input. */
export const MESSAGE_MAX_CHARS = 500;

export function capMessage(message: string): string {
  const points = Array.from(message.slice(0, 2 * MESSAGE_MAX_CHARS + 2));
  return points.length > MESSAGE_MAX_CHARS ? `${points.slice(0, MESSAGE_MAX_CHARS).join('')}…` : message;
}
