import { redactUrlCredentials } from '../domain/redact.ts';

/** Keys whose values are secret whatever they hold, e.g. a future `mqtt.password`. */
const SECRET_KEY = /password|passwd|api_?key|token|secret/i;

export const MASK = '***';

/** Hide every occurrence of a secret, and any password written into a URL. */
export function maskString(text: string, secrets: readonly string[]): string {
  // Longest first, so a secret that contains a shorter one is hidden whole.
  const ordered = [...secrets].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of ordered) out = out.split(secret).join(MASK);
  return redactUrlCredentials(out);
}

/**
 * A copy of `value` that is safe to print or log: secret-named keys are masked outright, and
 * every string has substituted secrets and URL passwords replaced by `***`.
 */
export function maskSecrets<T>(value: T, secrets: readonly string[]): T {
  const visit = (node: unknown, key: string | undefined): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && (typeof node !== 'object' || node === null)) return MASK;
    if (typeof node === 'string') return maskString(node, secrets);
    if (Array.isArray(node)) return node.map((item) => visit(item, undefined));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, visit(v, k)]));
    }
    return node;
  };
  return visit(value, undefined) as T;
}
