import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';
import type { CircuitPermit } from './circuit-breaker.ts';

function breaker() {
  const transitions: string[] = [];
  const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000 }, (to) => transitions.push(to));
  return { b, transitions };
}

const take = (b: CircuitBreaker, now: number): CircuitPermit => {
  const permit = b.tryAcquire(now);
  if (!permit) throw new Error('expected a permit');
  return permit;
};

describe('CircuitBreaker', () => {
  it('opens after K consecutive failures, not after K failures with a success between', () => {
    const { b, transitions } = breaker();
    b.record(take(b, 0), 'failure', 0);
    b.record(take(b, 0), 'failure', 0);
    b.record(take(b, 0), 'success', 0);
    b.record(take(b, 0), 'failure', 0);
    b.record(take(b, 0), 'failure', 0);
    expect(b.state(0)).toBe('closed');
    b.record(take(b, 0), 'failure', 10);
    expect(b.state(10)).toBe('open');
    expect(b.tryAcquire(500)).toBeUndefined();
    expect(b.retryAfterMs(500)).toBe(510);
    expect(transitions).toEqual(['open']);
  });

  it('half-opens after the cooldown with exactly one trial, and closes when it succeeds', () => {
    const { b, transitions } = breaker();
    for (let i = 0; i < 3; i++) b.record(take(b, 0), 'failure', 0);
    expect(b.state(999)).toBe('open');
    expect(b.state(1_000)).toBe('half_open');
    const trial = take(b, 1_000);
    expect(trial.trial).toBe(true);
    expect(b.tryAcquire(1_000)).toBeUndefined();
    b.record(trial, 'success', 1_200);
    expect(b.snapshot(1_200)).toEqual({ state: 'closed', consecutiveFailures: 0, retryAfterMs: 0, opens: 1 });
    expect(take(b, 1_200).trial).toBe(false);
    expect(transitions).toEqual(['open', 'closed']);
  });

  it('re-opens for a full cooldown when the trial fails', () => {
    const { b } = breaker();
    for (let i = 0; i < 3; i++) b.record(take(b, 0), 'failure', 0);
    b.record(take(b, 1_000), 'failure', 1_500);
    expect(b.snapshot(1_500)).toEqual({ state: 'open', consecutiveFailures: 4, retryAfterMs: 1_000, opens: 2 });
    expect(b.state(2_500)).toBe('half_open');
  });

  it('lets another trial go when the trial was cancelled', () => {
    const { b } = breaker();
    for (let i = 0; i < 3; i++) b.record(take(b, 0), 'failure', 0);
    b.record(take(b, 1_000), 'neutral', 1_001);
    expect(b.state(1_001)).toBe('half_open');
    expect(take(b, 1_001).trial).toBe(true);
  });

  it('ignores results of calls that started before the circuit opened', () => {
    const { b } = breaker();
    const stale = take(b, 0);
    for (let i = 0; i < 3; i++) b.record(take(b, 0), 'failure', 0);
    b.record(stale, 'success', 10);
    expect(b.state(10)).toBe('open');
    const trial = take(b, 1_000);
    b.record(stale, 'failure', 1_000);
    b.record(trial, 'success', 1_001);
    expect(b.snapshot(1_001).consecutiveFailures).toBe(0);
    expect(b.state(1_001)).toBe('closed');
  });
});
