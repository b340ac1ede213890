import { formatPath } from './config-path.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * `{VIGIL_NAME}` or `{FRIGATE_NAME}`, as in Frigate's config, so a Frigate user's secrets setup
 * (and their FRIGATE_RTSP_PASSWORD) carries over. Other braces are ordinary text.
 */
const PLACEHOLDER = /\{((?:VIGIL|FRIGATE)_[A-Z0-9_]+)\}/g;

export interface SubstitutionResult {
  /** A copy of the input tree with placeholders replaced. */
  value: unknown;
  /** Every substituted value: they come from the environment to stay out of the file, so they are secrets. */
  secrets: string[];
  /** One `path: environment variable NAME is not set` line per missing variable. */
  missing: string[];
}

/**
 * Replace placeholders in every string value of a parsed YAML tree. Done on the parsed tree
 * rather than the raw text so a value can never inject YAML syntax, and so a missing variable
 * can be reported with the path of the field that uses it. Map keys are left alone.
 */
export function substituteEnv(tree: unknown, env: Env): SubstitutionResult {
  const secrets = new Set<string>();
  const missing: string[] = [];

  const visit = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (placeholder, name: string) => {
        const value = env[name];
        if (value === undefined) {
          missing.push(`${formatPath(path)}: environment variable ${name} is not set`);
          return placeholder;
        }
        if (value !== '') secrets.add(value);
        return value;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...path, i]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, visit(item, [...path, key])]));
    }
    return node;
  };

  const value = visit(tree, []);
  return { value, secrets: [...secrets], missing };
}
