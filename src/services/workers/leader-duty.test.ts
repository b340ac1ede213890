import { describe, expect, it } from 'vitest';
import type { CampaignHandlers, Leadership, LeaderRole } from '../../ports/leadership.ts';
import { LeaderDuty } from './leader-duty.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** Leadership whose elections the test decides. */
function scriptedLeadership(electedAtFirst: boolean) {
  let handlers: CampaignHandlers | undefined;
  let stopped = false;
  const leadership: Leadership = {
    campaign(_role: LeaderRole, h: CampaignHandlers) {
      handlers = h;
      if (electedAtFirst) h.onElected();
      return {
        firstAttempt: Promise.resolve(electedAtFirst),
        stop: async () => {
          stopped = true;
        },
      };
    },
  };
  return { leadership, elect: () => handlers!.onElected(), depose: () => handlers!.onDeposed(), stopped: () => stopped };
}

/** A duty that records its starts and closes, taking a tick for each (as real ones await I/O). */
function recordingDuty() {
  const log: string[] = [];
  let n = 0;
  const start = async () => {
    const id = ++n;
    await new Promise((r) => setTimeout(r, 5));
    log.push(`start ${id}`);
    return {
      id,
      close: async () => {
        await new Promise((r) => setTimeout(r, 5));
        log.push(`close ${id}`);
      },
    };
  };
  return { log, start };
}

describe('LeaderDuty', () => {
  it('without leadership (one process on SQLite) starts the duty at once and closes it on stop', async () => {
    const duty = recordingDuty();
    const leader = new LeaderDuty({ leadership: undefined, role: 'retention', start: duty.start, logger: silent });
    await leader.start();
    expect(leader.active?.id).toBe(1);
    await leader.stop();
    expect(duty.log).toEqual(['start 1', 'close 1']);
    expect(leader.active).toBeUndefined();
  });

  it('without leadership, a duty that cannot start fails the start (a misconfiguration stops the one process)', async () => {
    const leader = new LeaderDuty({ leadership: undefined, role: 'integrations', start: () => Promise.reject(new Error('no CA file')), logger: silent });
    await expect(leader.start()).rejects.toThrow('no CA file');
  });

  it('runs the duty only while elected, one start or close at a time and in order', async () => {
    const election = scriptedLeadership(false);
    const duty = recordingDuty();
    const leader = new LeaderDuty({ leadership: election.leadership, role: 'integrations', start: duty.start, logger: silent });
    await leader.start();
    expect(leader.active).toBeUndefined();

    // Elected, deposed and elected again in quick succession: never two running at once.
    election.elect();
    election.depose();
    election.elect();
    await new Promise((r) => setTimeout(r, 50));
    expect(duty.log).toEqual(['start 1', 'close 1', 'start 2']);
    expect(leader.active?.id).toBe(2);

    await leader.stop();
    expect(election.stopped()).toBe(true);
    expect(duty.log).toEqual(['start 1', 'close 1', 'start 2', 'close 2']);
    // An election heard after stopping starts nothing.
    election.elect();
    await new Promise((r) => setTimeout(r, 20));
    expect(duty.log).toHaveLength(4);
  });

  it('has the duty running when start resolves if the first attempt won', async () => {
    const election = scriptedLeadership(true);
    const duty = recordingDuty();
    const leader = new LeaderDuty({ leadership: election.leadership, role: 'integrations', start: duty.start, logger: silent });
    await leader.start();
    expect(leader.active?.id).toBe(1);
    await leader.stop();
  });
});
