import { VigilError } from '../../domain/errors.ts';

/** `gateway.models[]`: a model name clients send (with `*` for any text) and where it goes. */
export interface ModelRoute {
  name: string;
  provider: string;
  /** The backend's model; undefined: the provider's own. */
  model?: string;
  /** Providers to try, in order, while the one before is down; undefined: the provider's fallback chain. */
  fallback?: readonly string[];
}

/** One backend to try: a provider and the model to ask it for (undefined: the provider's own). */
export interface RouteTarget {
  provider: string;
  model: string | undefined;
}

export interface ResolvedRoute {
  /** The route's `name` that matched (a pattern or the exact name). */
  matched: string;
  /** The first target, then the fallbacks in order. */
  targets: RouteTarget[];
}

/**
 * `*` matches any text (also none); everything else is literal; case does not matter (Claude-3 =
 * claude-3). The classic two-pointer wildcard match: at most pattern x name steps, never the
 * exponential backtracking a regular expression can fall into on `*a*b*c*` against a long name.
 */
export function matchesModelPattern(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  let pi = 0;
  let ni = 0;
  let star = -1;
  let resume = 0;
  while (ni < n.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === n[ni]) {
      pi++;
      ni++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = ni;
    } else if (star >= 0) {
      pi = star + 1;
      ni = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * Where a client's model name goes: the first route that matches, then its fallbacks (the
 * route's own list, else the provider's chain from `fallbackChainOf`), each provider once.
 */
export function resolveRoute(routes: readonly ModelRoute[], clientModel: string, fallbackChainOf: (provider: string) => readonly string[]): ResolvedRoute {
  const route = routes.find((r) => matchesModelPattern(r.name, clientModel));
  if (!route) {
    const offered = listedModels(routes);
    throw new VigilError('not_found', `no model "${clientModel}" is served here${offered.length > 0 ? ` (try ${offered.slice(0, 10).join(', ')})` : ''}`);
  }
  const targets: RouteTarget[] = [{ provider: route.provider, model: route.model }];
  const seen = new Set([route.provider]);
  for (const provider of route.fallback ?? fallbackChainOf(route.provider)) {
    if (seen.has(provider)) continue;
    seen.add(provider);
    targets.push({ provider, model: undefined });
  }
  return { matched: route.name, targets };
}

/** The names a client can ask for as they are: routes without a `*`, in order. */
export function listedModels(routes: readonly ModelRoute[]): string[] {
  return [...new Set(routes.filter((r) => !r.name.includes('*')).map((r) => r.name))];
}
