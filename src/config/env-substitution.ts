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
  /** The same, as data: where each missing variable is used. */
  unset: UnsetVariable[];
}

export interface UnsetVariable {
  path: PropertyKey[];
  name: string;
}

/**
 * Replace placeholders in every string value of a parsed YAML tree. Done on the parsed tree
 * rather than the raw text so a value can never inject YAML syntax, and so a missing variable
 * can be reported with the path of the field that uses it. Map keys are left alone.
 */
export function substituteEnv(tree: unknown, env: Env): SubstitutionResult {
  const secrets = new Set<string>();
  const unset: UnsetVariable[] = [];

  const visit = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (placeholder, name: string) => {
        const value = env[name];
        if (value === undefined) {
          unset.push({ path, name });
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
  return { value, secrets: [...secrets], missing: unset.map(unsetLine), unset };
}

export function unsetLine({ path, name }: UnsetVariable): string {
  return `${formatPath(path)}: environment variable ${name} is not set`;
}

/** The keys of a provider written directly under `genai` (Frigate style), provider "default". */
const DIRECT_PROVIDER_KEYS = ['provider', 'model', 'base_url', 'api_key', 'provider_options', 'embedding_model', 'timeout_s', 'concurrency', 'max_queued', 'fallback'];

export interface GenaiSecretsResult {
  /** The tree with every genai part whose variable is unset taken out. */
  value: unknown;
  /** One line per part turned off, naming the variable. */
  warnings: string[];
  /** Unset variables outside genai: still an error. */
  unset: UnsetVariable[];
}

/**
 * For commands that only read (search, events): a genai provider or webhook whose secret is not
 * in the environment is turned off instead of stopping the command, which never calls it. What
 * referred to a removed provider (roles, analyze_image instances, fallbacks) goes with it. A
 * variable elsewhere in genai (a prompt) turns all of genai off. Anything outside genai is still
 * an error: the commands read cameras and storage.
 */
export function withoutUnsetGenaiSecrets(tree: unknown, unset: readonly UnsetVariable[]): GenaiSecretsResult {
  const outside = unset.filter((u) => u.path[0] !== 'genai');
  const inside = unset.filter((u) => u.path[0] === 'genai');
  if (inside.length === 0 || !isObject(tree) || !isObject(tree['genai'])) return { value: tree, warnings: [], unset: [...unset] };
  const genai: Record<string, unknown> = structuredClone(tree['genai']);
  const warnings: string[] = [];
  const removed = new Set<string>();
  const why = (u: UnsetVariable) => `environment variable ${u.name} is not set (${formatPath(u.path)})`;
  let allOff = false;
  const providers = isObject(genai['providers']) ? genai['providers'] : {};
  const webhooks = Array.isArray(genai['webhooks']) ? [...(genai['webhooks'] as unknown[])] : [];
  const droppedHooks = new Set<number>();

  for (const u of inside) {
    const [, section, key] = u.path;
    if (section === 'providers' && typeof key === 'string' && key in providers) {
      if (!removed.has(key)) warnings.push(`genai provider "${key}" is off: ${why(u)}`);
      removed.add(key);
    } else if (typeof section === 'string' && DIRECT_PROVIDER_KEYS.includes(section)) {
      if (!removed.has('default')) warnings.push(`genai provider "default" is off: ${why(u)}`);
      removed.add('default');
    } else if (section === 'webhooks' && typeof key === 'number') {
      if (!droppedHooks.has(key)) warnings.push(`genai webhook ${key + 1} is off: ${why(u)}`);
      droppedHooks.add(key);
    } else {
      if (!allOff) warnings.push(`genai is off: ${why(u)}`);
      allOff = true;
    }
  }
  if (allOff) {
    const { genai: _off, ...rest } = tree;
    return { value: rest, warnings, unset: outside };
  }

  for (const name of removed) delete providers[name];
  if (removed.has('default')) for (const key of DIRECT_PROVIDER_KEYS) delete genai[key];
  // Whatever pointed at a removed provider cannot work either; left in, it would fail validation.
  for (const p of Object.values(providers)) if (isObject(p) && typeof p['fallback'] === 'string' && removed.has(p['fallback'])) delete p['fallback'];
  if (typeof genai['fallback'] === 'string' && removed.has(genai['fallback'])) delete genai['fallback'];
  if (isObject(genai['roles'])) {
    for (const [role, name] of Object.entries(genai['roles'])) if (typeof name === 'string' && removed.has(name)) delete genai['roles'][role];
  }
  const instances = isObject(genai['analyze_image']) && isObject(genai['analyze_image']['instances']) ? genai['analyze_image']['instances'] : {};
  for (const [name, instance] of Object.entries(instances)) {
    if (!isObject(instance)) continue;
    if (typeof instance['vision'] === 'string' && removed.has(instance['vision'])) delete instances[name];
    else if (typeof instance['text'] === 'string' && removed.has(instance['text'])) delete instance['text'];
  }
  if (droppedHooks.size > 0) genai['webhooks'] = webhooks.filter((_hook, i) => !droppedHooks.has(i));
  const anyLeft = Object.keys(providers).length > 0 || (!removed.has('default') && genai['provider'] !== undefined);
  if (!anyLeft && genai['enabled'] === true) genai['enabled'] = false;
  return { value: { ...tree, genai }, warnings, unset: outside };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
