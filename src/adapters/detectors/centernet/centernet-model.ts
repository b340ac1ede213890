import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { z } from 'zod';
import type { Detection } from '../../../domain/detection.ts';
import { VigilError } from '../../../domain/errors.ts';
import { boxToFrame, stretchTransform, type Size } from '../../../domain/geometry.ts';

/** The model's fixed input: 512x512 RGB, float values 0-255 (dividing by 255 yields nothing). */
export const CENTERNET_INPUT: Size = { width: 512, height: 512 };
const OUTPUT_NODE = 'tower_0/detections';
const INPUT_NODE = 'tower_0/images';

const modelJsonSchema = z.object({
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().optional(),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.unknown()) })).min(1),
});

const require = createRequire(import.meta.url);
let backendReady: Promise<void> | undefined;

/** One wasm backend per thread; its binary ships inside the npm package. */
function initWasmBackend(): Promise<void> {
  backendReady ??= (async () => {
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    setWasmPaths(`${wasmDir}/`);
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return backendReady;
}

async function readModel(modelDir: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = join(modelDir, 'centernet.json');
  try {
    const manifest = modelJsonSchema.parse(JSON.parse(await readFile(jsonPath, 'utf8')));
    const weightFiles = manifest.weightsManifest.flatMap((group) => group.paths);
    const buffers = await Promise.all(weightFiles.map((p) => readFile(join(modelDir, p))));
    const weightData = Buffer.concat(buffers);
    return {
      modelTopology: manifest.modelTopology,
      format: manifest.format,
      generatedBy: manifest.generatedBy,
      convertedBy: manifest.convertedBy,
      weightSpecs: manifest.weightsManifest.flatMap((group) => group.weights) as tf.io.WeightsManifestEntry[],
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    };
  } catch (cause) {
    throw new VigilError('model_invalid', `The CenterNet model in ${modelDir} could not be read`, { cause });
  }
}

export interface CenterNetCandidates {
  /** Raw candidates, boxes mapped back to frame pixels, before thresholds and NMS. */
  detections: Detection[];
}

/** CenterNet (MobileNetV3) COCO detector on tfjs' wasm backend. One instance per thread. */
export class CenterNetModel {
  private constructor(
    private readonly model: GraphModel,
    private readonly labels: readonly string[],
  ) {}

  static async load(modelDir: string): Promise<CenterNetModel> {
    await initWasmBackend();
    const artifacts = await readModel(modelDir);
    const labels = (await readFile(join(modelDir, 'coco.names'), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const model = await loadGraphModel({ load: async () => artifacts });
    return new CenterNetModel(model, labels);
  }

  /** Candidates scoring at least `minScore`, in frame pixels. */
  detect(rgb: Uint8Array, frame: Size, minScore: number): Detection[] {
    const output = tf.tidy(() => {
      const image = tf.cast(tf.tensor3d(rgb, [frame.height, frame.width, 3], 'int32'), 'float32');
      const resized = tf.image.resizeBilinear(image as tf.Tensor3D, [CENTERNET_INPUT.height, CENTERNET_INPUT.width]);
      const batch = tf.expandDims(resized, 0);
      return this.model.execute({ [INPUT_NODE]: batch }, OUTPUT_NODE) as tf.Tensor;
    });
    const values = output.dataSync();
    output.dispose();
    const transform = stretchTransform(frame, CENTERNET_INPUT);
    const detections: Detection[] = [];
    for (let i = 0; i + 5 < values.length; i += 6) {
      const score = values[i + 4]!;
      if (score < minScore) continue;
      const classIndex = Math.round(values[i + 5]!);
      const box = boxToFrame({ x1: values[i]!, y1: values[i + 1]!, x2: values[i + 2]!, y2: values[i + 3]! }, transform, frame);
      detections.push({ label: this.labels[classIndex] ?? `class_${classIndex}`, score, box });
    }
    return detections;
  }

  dispose(): void {
    this.model.dispose();
  }
}
