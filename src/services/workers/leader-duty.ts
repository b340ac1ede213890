import type { Campaign, Leadership, LeaderRole } from '../../ports/leadership.ts';
import type { Logger } from '../../ports/logger.ts';

/** Something running that can be closed: what a duty's `start` gives back. */
export interface RunningDuty {
  close(): Promise<void>;
}

export interface LeaderDutyDeps<D extends RunningDuty> {
  /** Undefined when this process is the only one on its storage (SQLite): it always leads. */
  leadership: Leadership | undefined;
  role: LeaderRole;
  /** Starts the duty; on failure it must leave nothing running (it is tried again later). */
  start(): Promise<D>;
  logger: Logger;
  /** After a start that failed, the role is given up for this long before campaigning again. Default 30 s. */
  retryMs?: number;
}

/**
 * A duty that one process at a time does among those sharing a storage (the MQTT integrations,
 * retention): started when this process is elected for its role, closed when it is deposed or
 * stops, so that another process takes it over. Starts and closes happen one after another, in
 * the order the campaign asked for them. A duty that cannot start gives the role up (another
 * process may manage) and campaigns again after `retryMs`.
 */
export class LeaderDuty<D extends RunningDuty> {
  private running: D | undefined;
  private steps: Promise<void> = Promise.resolve();
  private campaign: Campaign | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly deps: LeaderDutyDeps<D>) {
    this.log = deps.logger.child({ duty: deps.role });
  }

  /** The duty while this process does it. */
  get active(): D | undefined {
    return this.running;
  }

  /**
   * Campaigns for the role; resolves after the first attempt, with the duty started when it won.
   * Without leadership the duty starts at once, and a start that fails rejects this (as a
   * misconfiguration should stop the one process).
   */
  async start(): Promise<void> {
    if (!this.deps.leadership) return this.step(() => this.begin(), { rethrow: true });
    await this.campaignNow()?.firstAttempt;
    await this.steps;
    if (!this.running) this.log.info({}, 'another process does this now; this one takes over if it stops');
  }

  /** Closes the duty, then gives the role up: the next holder never overlaps with this one. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.step(() => this.end());
    await this.campaign?.stop();
  }

  private campaignNow(): Campaign | undefined {
    const { leadership, role } = this.deps;
    if (!leadership || this.stopped) return undefined;
    const campaign = leadership.campaign(role, {
      onElected: () => void this.step(() => this.elected(campaign)),
      onDeposed: () => void this.step(() => this.end('another process may do it now')),
    });
    this.campaign = campaign;
    return campaign;
  }

  private async elected(campaign: Campaign): Promise<void> {
    try {
      await this.begin();
    } catch (error) {
      if (this.stopped || this.campaign !== campaign) return;
      const retryMs = this.deps.retryMs ?? 30_000;
      this.log.error({ err: error, retryInMs: retryMs }, 'could not start this duty; giving the role up for now');
      this.campaign = undefined;
      await campaign.stop();
      this.retry = setTimeout(() => this.campaignNow(), retryMs);
      this.retry.unref();
    }
  }

  private step(run: () => Promise<void>, options: { rethrow?: boolean } = {}): Promise<void> {
    const next = this.steps.then(run);
    // A rethrown failure is the caller's to report; the others are logged here.
    this.steps = next.catch((error: unknown) => {
      if (!options.rethrow) this.log.error({ err: error }, 'could not start or stop this duty');
    });
    return options.rethrow ? next : this.steps;
  }

  private async begin(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = await this.deps.start();
    if (this.deps.leadership) this.log.info({}, 'this process does this duty now');
  }

  private async end(why?: string): Promise<void> {
    const running = this.running;
    this.running = undefined;
    if (!running) return;
    if (why) this.log.warn({ why }, 'this process lost its lead; stopping the duty');
    await running.close();
  }
}
