import { describe, expect, it } from 'vitest';
import { listedModels, matchesModelPattern, resolveRoute, type ModelRoute } from './model-routes.ts';

const routes: ModelRoute[] = [
  { name: 'claude-*opus*', provider: 'big', model: 'qwen3:32b' },
  { name: '*haiku*', provider: 'small', model: 'qwen3:4b', fallback: ['cloud'] },
  { name: 'qwen3:8b', provider: 'big' },
  { name: '*', provider: 'big' },
];
const chains: Record<string, string[]> = { big: ['cloud', 'small'], small: [], cloud: [] };
const chainOf = (p: string) => chains[p] ?? [];

describe('model routes', () => {
  it('matches * against any text, case-insensitively, and nothing else as a pattern', () => {
    expect(matchesModelPattern('claude-*opus*', 'claude-opus-4-1-20250805')).toBe(true);
    expect(matchesModelPattern('claude-*opus*', 'Claude-3-OPUS')).toBe(true);
    expect(matchesModelPattern('claude-*opus*', 'claude-sonnet-4')).toBe(false);
    expect(matchesModelPattern('qwen3:8b', 'qwen3:8b')).toBe(true);
    expect(matchesModelPattern('qwen3.8b', 'qwen3x8b')).toBe(false);
    expect(matchesModelPattern('a(b)+', 'a(b)+')).toBe(true);
    expect(matchesModelPattern('*', '')).toBe(true);
    expect(matchesModelPattern('a*b*c', 'aXbYbc')).toBe(true);
    expect(matchesModelPattern('a*b*c', 'aXbYbcd')).toBe(false);
    expect(matchesModelPattern('**x', 'x')).toBe(true);
  });

  it('stays fast on a long name against a pattern with many stars', () => {
    const started = performance.now();
    expect(matchesModelPattern('*claude*sonnet*opus*haiku*z', 'claude'.repeat(50_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('takes the first matching route, then its own fallbacks or the provider chain, each provider once', () => {
    expect(resolveRoute(routes, 'claude-opus-4-1', chainOf)).toEqual({
      matched: 'claude-*opus*',
      targets: [
        { provider: 'big', model: 'qwen3:32b' },
        { provider: 'cloud', model: undefined },
        { provider: 'small', model: undefined },
      ],
    });
    expect(resolveRoute(routes, 'claude-3-5-haiku-latest', chainOf).targets).toEqual([
      { provider: 'small', model: 'qwen3:4b' },
      { provider: 'cloud', model: undefined },
    ]);
    expect(resolveRoute([{ name: '*', provider: 'big', fallback: ['big', 'small'] }], 'x', chainOf).targets.map((t) => t.provider)).toEqual(['big', 'small']);
  });

  it('refuses an unrouted name with the names it could have used', () => {
    expect(() => resolveRoute(routes.slice(0, 3), 'gpt-4o', chainOf)).toThrow(/no model "gpt-4o" is served here \(try qwen3:8b\)/);
    expect(listedModels(routes)).toEqual(['qwen3:8b']);
  });
});
