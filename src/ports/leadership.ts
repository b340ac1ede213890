/**
 * Duties that one process at a time must do among those sharing a storage: the MQTT integrations
 * (a broker keeps one connection per client id, and Home Assistant wants one publisher) and
 * retention sweeps. Only a storage that several processes share has it (`Storage.leadership`); on
 * SQLite the one process does them all.
 */
export type LeaderRole = 'integrations' | 'retention';

export interface Leadership {
  /**
   * Campaigns for `role` until stopped: `onElected` once this process holds it, `onDeposed` when
   * it lost it (its connection to the storage broke, or went quiet too long). Another process can
   * be elected only after this one lost it, as far as the storage can tell: a holder cut off from
   * it may go on for a few seconds before it learns that it was deposed.
   */
  campaign(role: LeaderRole, handlers: CampaignHandlers): Campaign;
}

export interface CampaignHandlers {
  onElected(): void;
  onDeposed(): void;
}

export interface Campaign {
  /** Resolves after the first attempt: whether this process was elected by it. */
  readonly firstAttempt: Promise<boolean>;
  /** Gives the role up (another process can take it at once); `onDeposed` is not called. */
  stop(): Promise<void>;
}
