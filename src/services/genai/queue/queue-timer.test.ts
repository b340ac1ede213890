import { describe, expect, it } from 'vitest';
import { systemTimer } from './queue-timer.ts';

describe('systemTimer', () => {
  it('sleeps', async () => {
    const start = systemTimer.now();
    await systemTimer.sleep(5);
    expect(systemTimer.now() - start).toBeGreaterThanOrEqual(4);
  });

  it('stops sleeping with an aborted error when the signal aborts, or at once if it already has', async () => {
    const controller = new AbortController();
    const sleeping = systemTimer.sleep(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toMatchObject({ code: 'aborted' });
    await expect(systemTimer.sleep(60_000, controller.signal)).rejects.toMatchObject({ code: 'aborted' });
  });
});
