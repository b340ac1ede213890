import { isVigilError } from '../../domain/errors.ts';
import { redactUrlCredentials } from '../../domain/redact.ts';
import type { Frame } from '../../domain/frame.ts';
import type { WriteFence } from '../../ports/analysis-store.ts';
import type { LiveMetrics } from '../../ports/live-metrics.ts';
import type { Clock, Logger } from '../../ports/logger.ts';
import type { AnalysisSummary, AnalyzeRequest, CameraAnalysisSettings } from '../analyze-video.service.ts';
import type { Backoff } from './backoff.ts';
import { DropOldestQueue } from './drop-oldest-queue.ts';
import { RateMeter } from './rate-meter.ts';
import type { CameraLiveState } from '../../domain/live-state.ts';

export type { CameraLiveState, LiveStatus } from '../../domain/live-state.ts';

export interface LiveCameraDeps {
  settings: CameraAnalysisSettings;
  input: string;
  detectorSettings: unknown;
  /** The camera's analysis (AnalyzeVideoService.analyze over the shared, fair detector). */
  analyze: (request: AnalyzeRequest) => Promise<AnalysisSummary>;
  queueFrames: number;
  /** A connected input silent this long is given up (ffmpeg may wait forever on a frozen server). */
  stallMs: number;
  backoff: Backoff;
  clock: Clock;
  /** Waits `ms` or until the signal aborts, whichever is first. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  logger: Logger;
  metrics?: LiveMetrics;
}

/**
 * Keeps one camera running: a session decodes the input into a bounded queue (the oldest
 * frame is dropped when detection falls behind) that the analysis drains; when the input fails
 * or ends, the session's events are closed and stored, and the next session starts after a
 * backoff delay. Stopping ends the input, lets the analysis finish what is queued, and returns.
 */
export class LiveCamera {
  private readonly inMeter = new RateMeter();
  private readonly processedMeter = new RateMeter();
  private readonly current: CameraLiveState;
  private queue: DropOldestQueue<Frame> | undefined;

  constructor(private readonly deps: LiveCameraDeps) {
    this.current = {
      cameraId: deps.settings.cameraId,
      status: 'connecting',
      inputFps: 0,
      processedFps: 0,
      framesIn: 0,
      framesProcessed: 0,
      framesDropped: 0,
      queueDepth: 0,
      reconnects: 0,
    };
  }

  state(): CameraLiveState {
    const now = this.deps.clock.now();
    return { ...this.current, inputFps: this.inMeter.perSecond(now), processedFps: this.processedMeter.perSecond(now), queueDepth: this.queue?.depth ?? 0 };
  }

  /** Runs sessions until `stop` aborts. */
  /** Runs sessions until `stop` aborts; with `fence`, every write batch is fenced by the camera's lease. */
  async run(stop: AbortSignal, options: { fence?: () => WriteFence } = {}): Promise<void> {
    const { clock, logger } = this.deps;
    const cameraId = this.deps.settings.cameraId;
    while (!stop.aborted) {
      this.current.status = 'connecting';
      const outcome = await this.session(stop, options.fence);
      if (stop.aborted) break;
      if (isVigilError(outcome.error) && outcome.error.code === 'lease_lost') {
        // Another worker analyses this camera now: reconnecting would only be refused again.
        logger.warn({ error: outcome.error.message }, 'camera taken over by another worker');
        break;
      }
      const sessionMs = this.current.connectedSinceMs !== undefined ? clock.now() - this.current.connectedSinceMs : 0;
      const delay = this.deps.backoff.next(sessionMs);
      const message = redactUrlCredentials(outcome.error instanceof Error ? outcome.error.message : outcome.error === undefined ? 'the stream ended' : String(outcome.error));
      Object.assign(this.current, { status: 'waiting', lastError: message, lastErrorAtMs: clock.now(), nextAttemptAtMs: clock.now() + delay, reconnects: this.current.reconnects + 1 });
      delete this.current.connectedSinceMs;
      this.deps.metrics?.reconnected(cameraId);
      logger.warn({ error: message, retryInMs: delay, attempt: this.deps.backoff.attempts }, 'camera input lost; reconnecting');
      await this.deps.sleep(delay, stop);
      delete this.current.nextAttemptAtMs;
    }
    this.current.status = 'stopped';
    delete this.current.connectedSinceMs;
    logger.info({}, 'camera stopped');
  }

  /** One connection: returns when the input ends or fails (with the error) or when stopped. */
  private async session(stop: AbortSignal, fence: (() => WriteFence) | undefined): Promise<{ error?: unknown }> {
    const { settings, clock, metrics, logger } = this.deps;
    const cameraId = settings.cameraId;
    // Ends this session's decoding however the analysis ends (stop, input error, or a failure of its own).
    const session = new AbortController();
    const onStop = () => session.abort();
    stop.addEventListener('abort', onStop, { once: true });
    let inputError: unknown;
    let lastActivity = clock.now();
    let connected = false;
    const watchdog = setInterval(
      () => {
        if (!connected || clock.now() - lastActivity < this.deps.stallMs) return;
        inputError = new Error(`no frame for ${Math.round(this.deps.stallMs / 1000)} s`);
        session.abort();
      },
      Math.min(1000, this.deps.stallMs / 4),
    );
    const drop = (count: number) => {
      if (count <= 0) return;
      this.current.framesDropped += count;
      metrics?.framesDropped(cameraId, count);
    };
    const queue = new DropOldestQueue<Frame>(this.deps.queueFrames, () => drop(1));
    this.queue = queue;
    const pump = async (decoded: AsyncIterable<Frame>) => {
      try {
        for await (const frame of decoded) {
          const now = clock.now();
          lastActivity = now;
          this.current.framesIn++;
          this.current.lastFrameAtMs = frame.timestampMs;
          this.inMeter.record(now);
          metrics?.framesIn(cameraId);
          queue.push(frame);
        }
      } catch (error) {
        if (!session.signal.aborted) inputError ??= error;
      } finally {
        queue.close();
      }
    };
    try {
      await this.deps.analyze({
        input: this.deps.input,
        camera: settings,
        detectorSettings: this.deps.detectorSettings,
        signal: session.signal,
        onStart: () => {
          connected = true;
          lastActivity = clock.now();
          Object.assign(this.current, { status: 'streaming', connectedSinceMs: clock.now() });
          logger.info({}, 'camera connected');
        },
        live: {
          ...(fence ? { fence } : {}),
          frames: (decoded) => {
            void pump(decoded);
            return queue;
          },
          onFrameStored: (frame) => {
            this.current.framesProcessed++;
            this.processedMeter.record(clock.now());
            if (metrics) {
              const byLabel = new Map<string, number>();
              for (const d of frame.detections) if (d.confident) byLabel.set(d.label, (byLabel.get(d.label) ?? 0) + 1);
              metrics.frameProcessed(cameraId, byLabel);
            }
          },
          // A failed session loses what it analysed since its last commit: counted with the drops.
          onFramesLost: drop,
          onEventsCommitted: (events) => {
            const now = clock.now();
            for (const e of events) metrics?.eventStored(cameraId, e.stored.event.type, e.change, Math.max(0, now - e.frameMs));
          },
        },
      });
      return { error: inputError };
    } catch (error) {
      // The frames still queued will never be analysed in this session.
      drop(queue.depth);
      return { error: inputError ?? error };
    } finally {
      clearInterval(watchdog);
      stop.removeEventListener('abort', onStop);
      session.abort();
    }
  }
}
