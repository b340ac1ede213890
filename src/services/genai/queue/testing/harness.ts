import type { VigilError } from '../../../../domain/errors.ts';
import { createProviderQueue } from '../provider-queue.ts';
import type { ProviderQueue } from '../provider-queue.ts';
import type { ProviderQueueOptions } from '../queue-options.ts';
import { FakeLlmProvider } from './fake-llm-provider.ts';
import type { Script } from './fake-llm-provider.ts';
import { FakeTimer } from './fake-timer.ts';

export interface Tracked<T> {
  state: 'pending' | 'fulfilled' | 'rejected';
  value?: T;
  error?: VigilError;
}

/** Watches a promise without awaiting it, so a test can count what is still hanging. */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { state: 'pending' };
  promise.then(
    (value) => Object.assign(t, { state: 'fulfilled', value }),
    (error: VigilError) => Object.assign(t, { state: 'rejected', error }),
  );
  return t;
}

export interface Harness {
  timer: FakeTimer;
  fake: FakeLlmProvider;
  queue: ProviderQueue;
}

/** A queue over a scripted fake provider on virtual time that starts at 1,000,000 ms. */
export function harness(options: ProviderQueueOptions = {}, script?: Script, random: () => number = () => 0.5): Harness {
  const timer = new FakeTimer(1_000_000);
  const fake = new FakeLlmProvider(timer, script);
  const queue = createProviderQueue({ provider: fake, options, timer, random });
  return { timer, fake, queue };
}
