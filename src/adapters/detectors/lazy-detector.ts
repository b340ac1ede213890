import type { Detection } from '../../domain/detection.ts';
import type { Detector, DetectorImage } from '../../ports/detector.ts';

/**
 * Starts the real detector on first use, so that commands which fail early (a missing file, an
 * unreachable stream) answer at once instead of after loading a model into every worker.
 */
export class LazyDetector implements Detector {
  private started: Promise<Detector> | undefined;

  constructor(
    readonly id: string,
    readonly concurrency: number,
    private readonly start: () => Promise<Detector>,
  ) {}

  async detect(image: DetectorImage): Promise<Detection[]> {
    this.started ??= this.start();
    return (await this.started).detect(image);
  }

  async close(): Promise<void> {
    if (!this.started) return;
    const detector = await this.started.catch(() => undefined);
    await detector?.close();
  }
}
