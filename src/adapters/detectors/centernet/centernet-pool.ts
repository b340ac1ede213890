import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import {
  filterDetections,
  nonMaxSuppressionPerLabel,
  type Detection,
  type DetectionFilterOptions,
} from '../../../domain/detection.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { Detector, DetectorImage } from '../../../ports/detector.ts';
import { siblingModule, spawnModuleWorker } from '../../workers/spawn-module-worker.ts';
import { workerReplySchema, type DetectRequest, type WorkerInit } from './centernet-protocol.ts';

export interface CenterNetPoolOptions {
  modelDir: string;
  /** Worker threads; defaults to the number of cores. */
  workers?: number;
  filter: DetectionFilterOptions;
  nmsIou: number;
}

interface Job {
  request: DetectRequest;
  resolve: (detections: Detection[]) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Job | undefined;
}

/**
 * The bundled CenterNet detector, run in a pool of worker threads (one model each) so that
 * N cores give about N times the throughput of one. Jobs queue in the pool and go to whichever
 * worker is free; callers bound the queue by keeping at most `concurrency` calls in flight.
 */
export class CenterNetPool implements Detector {
  readonly id = 'centernet:mobilenetv3-coco-512';
  readonly concurrency: number;
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private failure: VigilError | undefined;

  private constructor(
    slots: Slot[],
    private readonly options: CenterNetPoolOptions,
  ) {
    this.slots = slots;
    // One job running and one waiting per worker keeps every core busy between frames.
    this.concurrency = slots.length * 2;
    for (const slot of slots) this.attach(slot);
  }

  static async start(options: CenterNetPoolOptions): Promise<CenterNetPool> {
    const count = Math.max(1, options.workers ?? availableParallelism());
    const minScore = Math.min(
      options.filter.defaults.minScore,
      ...Object.values(options.filter.perLabel).map((f) => f.minScore ?? 1),
    );
    const init: WorkerInit = { modelDir: options.modelDir, minScore };
    const entry = siblingModule(import.meta.url, 'centernet.worker');
    const workers = Array.from({ length: count }, () => spawnModuleWorker(entry, init));
    try {
      await Promise.all(workers.map((w) => waitUntilReady(w)));
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new CenterNetPool(
      workers.map((worker) => ({ worker, busy: undefined })),
      options,
    );
  }

  detect(image: DetectorImage): Promise<Detection[]> {
    if (this.failure) return Promise.reject(this.failure);
    // The pixels are copied so that the caller keeps its frame (e.g. to save it as JPEG);
    // the copy is transferred, not cloned again, to the worker.
    const rgb = image.rgb.slice().buffer;
    const request: DetectRequest = { id: this.nextId++, width: image.width, height: image.height, rgb };
    return new Promise<Detection[]>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    }).then((raw) => nonMaxSuppressionPerLabel(filterDetections(raw, this.options.filter), this.options.nmsIou));
  }

  async close(): Promise<void> {
    this.fail(new VigilError('aborted', 'The detector was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.busy = job;
      slot.worker.postMessage(job.request, [job.request.rgb]);
    }
  }

  private attach(slot: Slot): void {
    slot.worker.on('message', (raw: unknown) => {
      const message = workerReplySchema.safeParse(raw);
      const job = slot.busy;
      if (!message.success || !job) {
        this.fail(new VigilError('detector_failed', 'A detector worker sent an unexpected message'));
        return;
      }
      slot.busy = undefined;
      if (message.data.type === 'result') job.resolve(message.data.detections);
      else if (message.data.type === 'failed') job.reject(new VigilError('detector_failed', `Detection failed: ${message.data.message}`));
      this.dispatch();
    });
    slot.worker.on('error', (error) => this.fail(new VigilError('detector_failed', `A detector worker crashed: ${error.message}`, { cause: error })));
    slot.worker.on('exit', (code) => {
      if (!this.failure) this.fail(new VigilError('detector_failed', `A detector worker exited unexpectedly (code ${code})`));
    });
  }

  /** A broken pool fails every waiting and future call with the same error, instead of hanging. */
  private fail(error: VigilError): void {
    this.failure ??= error;
    for (const slot of this.slots) {
      slot.busy?.reject(this.failure);
      slot.busy = undefined;
    }
    for (const job of this.queue.splice(0)) job.reject(this.failure);
  }
}

function waitUntilReady(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: unknown) => {
      const message = workerReplySchema.safeParse(raw);
      cleanup();
      if (message.success && message.data.type === 'ready') resolve();
      else if (message.success && message.data.type === 'init_failed') reject(new VigilError('model_invalid', message.data.message));
      else reject(new VigilError('detector_failed', 'A detector worker sent an unexpected first message'));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new VigilError('detector_failed', `A detector worker failed to start: ${error.message}`, { cause: error }));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
  });
}
