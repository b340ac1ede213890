/**
 * Tiny response decoders: the wire types are derived from them, so what the UI believes about a
 * response is what it checked. Unknown fields are ignored; a missing or mistyped one fails with
 * its path (`events[3].start: expected a string`).
 */

export type Decoder<T> = (value: unknown, path: string) => T;
export type Infer<D> = D extends Decoder<infer T> ? T : never;

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

function fail(path: string, expected: string): never {
  throw new DecodeError(`${path || 'response'}: expected ${expected}`);
}

export const string: Decoder<string> = (v, path) => (typeof v === 'string' ? v : fail(path, 'a string'));
export const boolean: Decoder<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, 'true or false'));
export const number: Decoder<number> = (v, path) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'a number'));

/** An ISO 8601 date-time string that `Date` can read. */
export const isoTime: Decoder<string> = (v, path) => {
  const s = string(v, path);
  return Number.isNaN(Date.parse(s)) ? fail(path, 'an ISO 8601 date-time') : s;
};

/** Absent (or null) becomes `fallback`. */
export function optional<T, F>(d: Decoder<T>, fallback: F): Decoder<T | F> {
  return (v, path) => (v === undefined || v === null ? fallback : d(v, path));
}

export function array<T>(d: Decoder<T>): Decoder<T[]> {
  return (v, path) => (Array.isArray(v) ? v.map((item, i) => d(item, `${path}[${i}]`)) : fail(path, 'an array'));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function record<T>(d: Decoder<T>): Decoder<Record<string, T>> {
  return (v, path) => {
    if (!isObject(v)) return fail(path, 'an object');
    const out: Record<string, T> = Object.create(null) as Record<string, T>;
    for (const [key, item] of Object.entries(v)) out[key] = d(item, `${path}.${key}`);
    return out;
  };
}

export function object<S extends Record<string, Decoder<unknown>>>(shape: S): Decoder<{ [K in keyof S]: Infer<S[K]> }> {
  return (v, path) => {
    if (!isObject(v)) return fail(path, 'an object');
    const out: Record<string, unknown> = {};
    for (const [key, d] of Object.entries(shape)) out[key] = d(v[key], path ? `${path}.${key}` : key);
    return out as { [K in keyof S]: Infer<S[K]> };
  };
}

/** `d`, or `fallback` when the value does not decode: for optional extras that must not sink the whole response. */
export function lenient<T, F>(d: Decoder<T>, fallback: F): Decoder<T | F> {
  return (v, path) => {
    try {
      return d(v, path);
    } catch (error) {
      if (error instanceof DecodeError) return fallback;
      throw error;
    }
  };
}
