import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import {
  filterDetections,
  nonMaxSuppressionPerLabel,
  type Detection,
  type DetectionFilterOptions,
} from '../../../domain/detection.ts';
import { VigilError } from '../../../domain/errors.ts';
import { boxToFrame, type Size } from '../../../domain/geometry.ts';
import { decodeYoloOutput, yoloOutputShape } from '../../../domain/yolo-output.ts';
import type { Detector, DetectorImage } from '../../../ports/detector.ts';
import { letterboxInput } from './letterbox-input.ts';
import { openOnnxSession, type OnnxDevice } from './onnx-session.ts';

export interface OnnxYoloDetectorOptions {
  /** A YOLOv8/YOLO11 detection model exported to ONNX (`yolo export format=onnx`). */
  modelPath: string;
  /** Class names in model order, one per line. */
  labelsPath: string;
  /** Square input side; defaults to the model's static input size, else 640. */
  inputSize?: number;
  device: OnnxDevice;
  filter: DetectionFilterOptions;
  nmsIou: number;
}

const DEFAULT_INPUT_SIZE = 640;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function readLabelsFile(labelsPath: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(labelsPath, 'utf8');
  } catch (error) {
    throw new VigilError('model_invalid', `Cannot read the labels file ${labelsPath}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const labels = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (labels.length === 0) {
    throw new VigilError('model_invalid', `The labels file ${labelsPath} is empty: it needs one class name per line.`);
  }
  return labels;
}

/** Check the model's declared input and pick the input size, failing early on what cannot work. */
function resolveInput(session: InferenceSession, requested: number | undefined): { name: string; size: Size } {
  if (session.inputNames.length !== 1) {
    throw new Error(`expected one input (an image batch), found ${session.inputNames.length}`);
  }
  const name = session.inputNames[0] as string;
  const meta = session.inputMetadata[0];
  let fixed: Size | undefined;
  if (meta?.isTensor) {
    if (meta.type !== 'float32') {
      throw new Error(`input ${name} is ${meta.type}, expected float32 (export without half/int8)`);
    }
    const [, channels, h, w] = meta.shape;
    if (meta.shape.length !== 4 || (typeof channels === 'number' && channels !== 3)) {
      throw new Error(`input ${name} has shape [${meta.shape.join(', ')}], expected [1, 3, H, W]`);
    }
    if (typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0) fixed = { width: w, height: h };
  }
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested <= 0) {
      throw new Error(`inputSize must be a positive integer, got ${requested}`);
    }
    if (fixed && (fixed.width !== requested || fixed.height !== requested)) {
      throw new Error(`the model's input is fixed at ${fixed.width}x${fixed.height}, but inputSize is ${requested}`);
    }
    return { name, size: { width: requested, height: requested } };
  }
  return { name, size: fixed ?? { width: DEFAULT_INPUT_SIZE, height: DEFAULT_INPUT_SIZE } };
}

/** Check a statically known output shape now rather than on the first frame. */
function resolveOutput(session: InferenceSession, labels: readonly string[]): string {
  const name = session.outputNames[0];
  if (name === undefined) throw new Error('the model has no outputs');
  const meta = session.outputMetadata[0];
  if (meta?.isTensor) {
    if (meta.type !== 'float32') throw new Error(`output ${name} is ${meta.type}, expected float32`);
    if (meta.shape.length > 0 && meta.shape.every((d) => typeof d === 'number' && d > 0)) {
      yoloOutputShape(meta.shape, labels.length);
    }
  }
  return name;
}

/** The lowest score any label can pass with: candidates below it are never worth decoding. */
function lowestMinScore(filter: DetectionFilterOptions): number {
  const perLabel = Object.values(filter.perLabel).map((f) => f.minScore ?? Number.POSITIVE_INFINITY);
  return Math.min(filter.defaults.minScore, ...perLabel);
}

/**
 * A YOLOv8/YOLO11 detector on onnxruntime: letterboxes each frame into the model input, decodes
 * the head, maps boxes back to frame pixels, then filters and runs per-label NMS.
 */
export async function createOnnxYoloDetector(options: OnnxYoloDetectorOptions): Promise<Detector> {
  const { modelPath, filter, nmsIou } = options;
  const labels = await readLabelsFile(options.labelsPath);
  const session = await openOnnxSession(modelPath, options.device);

  let input: { name: string; size: Size };
  let outputName: string;
  try {
    input = resolveInput(session, options.inputSize);
    outputName = resolveOutput(session, labels);
  } catch (error) {
    await session.release();
    const detail = messageOf(error);
    throw new VigilError('model_invalid', `The ONNX model ${modelPath} is not a usable YOLO detector: ${detail}`, {
      cause: error,
    });
  }

  const { width, height } = input.size;
  const id = `onnx:${basename(modelPath)}:${width === height ? width : `${width}x${height}`}`;
  const preThreshold = lowestMinScore(filter);
  let closed = false;

  async function infer(data: Float32Array): Promise<Tensor> {
    let results: InferenceSession.ReturnType;
    try {
      results = await session.run({ [input.name]: new Tensor('float32', data, [1, 3, height, width]) });
    } catch (error) {
      throw new VigilError('detector_failed', `Inference with ${id} failed: ${messageOf(error)}`, { cause: error });
    }
    const output = results[outputName];
    if (!output) throw new VigilError('detector_failed', `Inference with ${id} returned no ${outputName} output.`);
    return output;
  }

  return {
    id,
    concurrency: 1,
    async detect(image: DetectorImage): Promise<Detection[]> {
      if (closed) throw new VigilError('detector_failed', `The detector ${id} is closed.`);
      const { data, transform } = await letterboxInput(image, input.size);
      const output = await infer(data);
      if (output.type !== 'float32') {
        const what = `The ONNX model ${modelPath} output ${outputName}`;
        throw new VigilError('model_invalid', `${what} is ${output.type}, expected a float32 tensor.`);
      }
      let candidates: Detection[];
      try {
        candidates = decodeYoloOutput({ data: output.data as Float32Array, dims: output.dims }, labels, preThreshold);
      } catch (error) {
        const detail = messageOf(error);
        throw new VigilError('model_invalid', `The ONNX model ${modelPath} is not a usable YOLO detector: ${detail}`, {
          cause: error,
        });
      }
      const frame = { width: image.width, height: image.height };
      const inFrame = candidates.map((d) => ({ ...d, box: boxToFrame(d.box, transform, frame) }));
      return nonMaxSuppressionPerLabel(filterDetections(inFrame, filter), nmsIou);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}
