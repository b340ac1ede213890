import type { FrigateMessageType } from './frigate-message.ts';

/** What arrived from one Frigate camera since Vigil started, and what can be inferred to be missing. */
export interface FrigateCameraIntake {
  /** Frigate's camera name. */
  frigateCamera: string;
  /** The Vigil camera its events are stored under. */
  camera: string;
  received: Record<FrigateMessageType, number>;
  /**
   * Messages that must have been lost on the way (by the broker, usually: Frigate publishes at
   * QoS 0): an object whose first message here was an `update` (its `new` never came), or an
   * `end` (neither its `new` nor any `update` came). Each object counts once.
   */
  gaps: { updateWithoutNew: number; endWithoutNew: number };
  lastMessageAtMs?: number;
}

export interface FrigateIntakeTotals {
  /** Not JSON, or not a Frigate event message (the camera is not known). */
  invalid: number;
  /** Dropped by Vigil itself: the intake buffer was full (the database fell far behind). */
  overflow: number;
  /** Mosquitto's own count of messages it dropped (all clients), from `$SYS`, when the broker publishes it. */
  brokerDropped?: number;
}

interface Seen {
  camera: string;
  sawNew: boolean;
}

export interface FrigateIntakeStatsOptions {
  now: () => number;
  /** Objects remembered for gap inference (oldest forgotten first). Default 20,000. */
  maxTracked?: number;
  /**
   * Objects that started before this moment (ms) may have had their `new` before Vigil listened:
   * they never count as gaps. Default: when the stats were made, less 2 s of clock skew.
   */
  listeningSinceMs?: number;
}

/**
 * Counts every `frigate/events` message as it arrives, per Frigate camera and type, and infers the
 * gaps a broker leaves behind. Memory stays bounded: at most `maxTracked` objects are remembered.
 */
export class FrigateIntakeStats {
  private readonly cameras = new Map<string, FrigateCameraIntake>();
  private readonly objects = new Map<string, Seen>();
  private readonly maxTracked: number;
  private listeningSinceMs: number;
  readonly totals: FrigateIntakeTotals = { invalid: 0, overflow: 0 };

  constructor(private readonly options: FrigateIntakeStatsOptions) {
    this.maxTracked = options.maxTracked ?? 20_000;
    this.listeningSinceMs = options.listeningSinceMs ?? options.now() - 2_000;
  }

  /** From now on (a fresh subscription): objects older than this are not held against the broker. */
  listening(sinceMs: number = this.options.now() - 2_000): void {
    this.listeningSinceMs = sinceMs;
  }

  record(message: { type: FrigateMessageType; after: { id: string; camera: string; start_time: number } }, vigilCamera: string): void {
    const { type, after } = message;
    const camera = this.camera(after.camera, vigilCamera);
    camera.received[type]++;
    camera.lastMessageAtMs = this.options.now();
    const key = `${after.camera}\u0000${after.id}`;
    const seen = this.objects.get(key);
    if (seen) {
      if (type === 'new') seen.sawNew = true;
      // Refresh its place: recently heard objects are the last forgotten.
      this.objects.delete(key);
      this.objects.set(key, seen);
      return;
    }
    if (type !== 'new' && after.start_time * 1000 >= this.listeningSinceMs) {
      if (type === 'update') camera.gaps.updateWithoutNew++;
      else camera.gaps.endWithoutNew++;
    }
    this.objects.set(key, { camera: after.camera, sawNew: type === 'new' });
    if (this.objects.size > this.maxTracked) {
      const oldest = this.objects.keys().next().value;
      if (oldest !== undefined) this.objects.delete(oldest);
    }
  }

  invalid(): void {
    this.totals.invalid++;
  }

  overflow(n = 1): void {
    this.totals.overflow += n;
  }

  brokerDropped(count: number): void {
    this.totals.brokerDropped = count;
  }

  perCamera(): FrigateCameraIntake[] {
    return [...this.cameras.values()].map((c) => ({ ...c, received: { ...c.received }, gaps: { ...c.gaps } }));
  }

  /** Every Frigate camera stored as this Vigil camera, summed; undefined when none sent anything. */
  forCamera(vigilCamera: string): FrigateCameraIntake | undefined {
    const parts = [...this.cameras.values()].filter((c) => c.camera === vigilCamera);
    if (parts.length === 0) return undefined;
    const sum = (pick: (c: FrigateCameraIntake) => number) => parts.reduce((n, c) => n + pick(c), 0);
    const last = Math.max(...parts.map((c) => c.lastMessageAtMs ?? -Infinity));
    return {
      frigateCamera: parts.map((c) => c.frigateCamera).join(', '),
      camera: vigilCamera,
      received: { new: sum((c) => c.received.new), update: sum((c) => c.received.update), end: sum((c) => c.received.end) },
      gaps: { updateWithoutNew: sum((c) => c.gaps.updateWithoutNew), endWithoutNew: sum((c) => c.gaps.endWithoutNew) },
      ...(Number.isFinite(last) ? { lastMessageAtMs: last } : {}),
    };
  }

  private camera(frigateCamera: string, vigilCamera: string): FrigateCameraIntake {
    let camera = this.cameras.get(frigateCamera);
    if (!camera) {
      camera = { frigateCamera, camera: vigilCamera, received: { new: 0, update: 0, end: 0 }, gaps: { updateWithoutNew: 0, endWithoutNew: 0 } };
      this.cameras.set(frigateCamera, camera);
    }
    return camera;
  }
}
