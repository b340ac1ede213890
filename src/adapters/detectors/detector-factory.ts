/** The configured detector: the bundled CenterNet in a worker pool, or the user's ONNX model. */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DetectorConfig } from '../../config/index.ts';
import type { DetectionFilterOptions } from '../../domain/detection.ts';
import { VigilError } from '../../domain/errors.ts';
import type { Detector } from '../../ports/detector.ts';
import { CenterNetPool } from './centernet/centernet-pool.ts';
import { LazyDetector } from './lazy-detector.ts';
import { createOnnxYoloDetector } from './onnx/onnx-yolo-detector.ts';

/** The bundled CenterNet model, shipped in the repository (see models/centernet/README.md). */
export const BUNDLED_MODEL_DIR = fileURLToPath(new URL('../../../models/centernet', import.meta.url));

export interface DetectorOptions {
  /** Worker threads of the CenterNet pool (default: detector.workers, else one per core). */
  workers?: number;
  /** What the detector drops itself (see candidateFilter in config/settings). */
  filter: DetectionFilterOptions;
}

/** The detector, started on first use (so a command that fails early never loads a model). */
export function createDetector(detector: DetectorConfig, options: DetectorOptions): Detector {
  if (detector.type === 'onnx') return new LazyDetector(`onnx:${basename(detector.model ?? '')}`, 1, () => startDetector(detector, options));
  const workers = options.workers ?? detector.workers ?? availableParallelism();
  return new LazyDetector('centernet', workers * 2, () => startDetector(detector, { ...options, workers }));
}

/** The detector, started now. */
export async function startDetector(detector: DetectorConfig, options: DetectorOptions): Promise<Detector> {
  if (detector.type === 'onnx') {
    if (!detector.model || !detector.labels) throw new VigilError('config_invalid', 'detector.model and detector.labels are required for onnx');
    return createOnnxYoloDetector({
      modelPath: detector.model,
      labelsPath: detector.labels,
      ...(detector.input_size !== undefined ? { inputSize: detector.input_size } : {}),
      device: detector.device,
      filter: options.filter,
      nmsIou: detector.nms_iou,
    });
  }
  return CenterNetPool.start({
    modelDir: BUNDLED_MODEL_DIR,
    workers: options.workers ?? detector.workers ?? availableParallelism(),
    filter: options.filter,
    nmsIou: detector.nms_iou,
  });
}
