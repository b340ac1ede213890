import type { Detection } from '../../domain/detection.ts';
import type { Detector, DetectorImage } from '../../ports/detector.ts';

interface Job {
  image: DetectorImage;
  resolve: (detections: Detection[]) => void;
  reject: (error: unknown) => void;
}

/** A camera that asked for detection this recently counts as active for the shares. */
const ACTIVE_WITHIN_MS = 5_000;

/**
 * One detector shared by every live camera, taken in turns: each camera has its own waiting
 * line, and a free detector slot goes to the next camera in round-robin order that has a frame
 * waiting. A busy camera (high frame rate, constant motion) can fill its own line but never
 * delays another camera by more than one frame per turn.
 *
 * Each camera is told its share of the detector's concurrency among the cameras that asked for
 * detection in the last few seconds (at least 1): a camera's pipeline then keeps only that many
 * frames waiting here, where nothing is ever dropped, and the rest in its own drop-oldest queue,
 * where a stale frame gives way to a new one. With the whole concurrency per camera, 4 cameras
 * would keep 16 frames in these lines, seconds of delay; counting idle or offline cameras would
 * leave detector workers unused while one camera is busy.
 */
export class FairDetectorScheduler {
  private readonly lines = new Map<string, Job[]>();
  /** Cameras in turn order; the head is served next. */
  private readonly turns: string[] = [];
  private inFlight = 0;
  /** When each camera last asked for detection. */
  private readonly lastAsked = new Map<string, number>();

  constructor(
    private readonly detector: Detector,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The detector's concurrency shared among the cameras active lately (this one counted). */
  private share(cameraId: string): number {
    const since = this.now() - ACTIVE_WITHIN_MS;
    let active = 0;
    for (const [id, at] of this.lastAsked) if (at >= since || id === cameraId) active++;
    if (!this.lastAsked.has(cameraId)) active++;
    return Math.max(1, Math.ceil(this.detector.concurrency / active));
  }

  /** The detector as one camera sees it. */
  forCamera(cameraId: string): Detector {
    if (!this.lines.has(cameraId)) {
      this.lines.set(cameraId, []);
      this.turns.push(cameraId);
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below has its own `this`
    const scheduler = this;
    return {
      id: this.detector.id,
      // Read on every frame: the share follows how many cameras are busy.
      get concurrency() {
        return scheduler.share(cameraId);
      },
      detect: (image) =>
        new Promise<Detection[]>((resolve, reject) => {
          this.lastAsked.set(cameraId, this.now());
          this.lines.get(cameraId)?.push({ image, resolve, reject });
          this.dispatch();
        }),
      // The shared detector outlives any one camera; whoever built it closes it.
      close: async () => {},
    };
  }

  /** Frames waiting for a detector slot, per camera. */
  waiting(cameraId: string): number {
    return this.lines.get(cameraId)?.length ?? 0;
  }

  private dispatch(): void {
    while (this.inFlight < this.detector.concurrency) {
      const job = this.nextJob();
      if (!job) return;
      this.inFlight++;
      this.detector
        .detect(job.image)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.inFlight--;
          this.dispatch();
        });
    }
  }

  private nextJob(): Job | undefined {
    for (let i = 0; i < this.turns.length; i++) {
      const cameraId = this.turns.shift() as string;
      this.turns.push(cameraId);
      const job = this.lines.get(cameraId)?.shift();
      if (job) return job;
    }
    return undefined;
  }
}
