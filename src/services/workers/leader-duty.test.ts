import { describe, expect, it } from 'vitest';
import type { CampaignHandlers, Leadership, LeaderRole } from '../../ports/leadership.ts';
import { LeaderDuty } from './leader-duty.ts';

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** Leadership whose elections the test decides; `log` (shared with the duty) records campaigns stopping. */
function scriptedLeadership(electedAtFirst: boolean, log: string[] = []) {
  const campaigns: Array<{ handlers: CampaignHandlers; stopped: boolean }> = [];
  const leadership: Leadership = {
    campaign(_role: LeaderRole, handlers: CampaignHandlers) {
      const entry = { handlers, stopped: false };
      campaigns.push(entry);
      if (electedAtFirst) handlers.onElected();
      return {
        firstAttempt: Promise.resolve(electedAtFirst),
        stop: async () => {
          entry.stopped = true;
          log.push(`campaign ${campaigns.indexOf(entry) + 1} stopped`);
        },
      };
    },
  };
  const current = () => campaigns.at(-1)!;
  return { leadership, campaigns, elect: () => current().handlers.onElected(), depose: () => current().handlers.onDeposed(), stopped: () => current().stopped };
}

/** A duty that records its starts and closes, taking a tick for each (as real ones await I/O). */
function recordingDuty(log: string[] = [], options: { failFirst?: number } = {}) {
  let n = 0;
  let failures = options.failFirst ?? 0;
  const start = async () => {
    await new Promise((r) => setTimeout(r, 5));
    if (failures > 0) {
      failures--;
      log.push('start failed');
      throw new Error('the broker refused the TLS handshake');
    }
    const id = ++n;
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
    const log: string[] = [];
    const election = scriptedLeadership(false, log);
    const duty = recordingDuty(log);
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
    // Closed before the role is given up: the next holder never overlaps with this one.
    expect(duty.log).toEqual(['start 1', 'close 1', 'start 2', 'close 2', 'campaign 1 stopped']);
    // An election heard after stopping starts nothing.
    election.elect();
    await new Promise((r) => setTimeout(r, 20));
    expect(duty.log).toHaveLength(5);
  });

  it('elected but unable to start, gives the role up (another process may manage) and campaigns again later', async () => {
    const log: string[] = [];
    const election = scriptedLeadership(true, log);
    const duty = recordingDuty(log, { failFirst: 1 });
    const leader = new LeaderDuty({ leadership: election.leadership, role: 'integrations', start: duty.start, logger: silent, retryMs: 30 });
    await leader.start();
    expect(leader.active).toBeUndefined();
    expect(log).toEqual(['start failed', 'campaign 1 stopped']);
    // A new campaign after retryMs, elected at once here: the duty runs.
    await new Promise((r) => setTimeout(r, 100));
    expect(election.campaigns).toHaveLength(2);
    expect(leader.active?.id).toBe(1);
    await leader.stop();
    expect(log).toEqual(['start failed', 'campaign 1 stopped', 'start 1', 'close 1', 'campaign 2 stopped']);
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
