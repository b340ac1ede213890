import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto, { type onnx as proto } from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionFilterOptions } from '../../../domain/detection.ts';
import { VigilError } from '../../../domain/errors.ts';
import type { DetectorImage } from '../../../ports/detector.ts';
import { createOnnxYoloDetector, type OnnxYoloDetectorOptions } from './onnx-yolo-detector.ts';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

type Dim = number | string;

function floatTensor(dims: readonly number[], values: ArrayLike<number>): proto.ITensorProto {
  return { dims: [...dims], dataType: FLOAT, floatData: Array.from(values) };
}

function constant(output: string, tensor: proto.ITensorProto): proto.INodeProto {
  return {
    opType: 'Constant',
    output: [output],
    attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: tensor }],
  };
}

function valueInfo(name: string, dims: readonly Dim[]): proto.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim } } } };
}

interface ModelSpec {
  /** The constant head K, row-major in `outputDims`. */
  head: Float32Array;
  outputDims: readonly number[];
  inputDims?: readonly Dim[];
  channelWeights?: readonly [number, number, number];
  mask?: Float32Array;
}

function reduceMean(input: string, output: string, axes: number[], keepdims: 0 | 1): proto.INodeProto {
  return {
    opType: 'ReduceMean',
    input: [input],
    output: [output],
    attribute: [
      { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: axes },
      { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: keepdims },
    ],
  };
}

/** A real ONNX model (opset 13, IR 8) from input `images` to output `output0`. */
function encodeModel(nodes: proto.INodeProto[], inputDims: readonly Dim[], outputDims: readonly Dim[]): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'vigil-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'fake-yolo',
      node: nodes,
      input: [valueInfo('images', inputDims)],
      output: [valueInfo('output0', outputDims)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** output0 = K + mean(images * channelWeights) * mask: known in advance, yet computed from the input. */
function yoloModel(spec: ModelSpec): Uint8Array {
  const { head, outputDims } = spec;
  const nodes: proto.INodeProto[] = [
    constant('K', floatTensor(outputDims, head)),
    constant('M', floatTensor(outputDims, spec.mask ?? new Float32Array(head.length))),
    constant('W', floatTensor([1, 3, 1, 1], spec.channelWeights ?? [1, 1, 1])),
    { opType: 'Mul', input: ['images', 'W'], output: ['weighted'] },
    reduceMean('weighted', 'mean', [1, 2, 3], 0),
    { opType: 'Mul', input: ['mean', 'M'], output: ['fromInput'] },
    { opType: 'Add', input: ['K', 'fromInput'], output: ['output0'] },
  ];
  return encodeModel(nodes, spec.inputDims ?? [1, 3, 64, 64], outputDims);
}

/**
 * A head of `rows` x (input width) zeros: its shape is only known once an input size is chosen,
 * so onnxruntime's metadata reports the anchor dimension as symbolic.
 */
function dynamicHeadModel(rows: number): Uint8Array {
  const nodes: proto.INodeProto[] = [
    constant('K', floatTensor([1, rows, 1], new Float32Array(rows))),
    reduceMean('images', 'perPixel', [1], 1), // [1, 1, h, w]
    reduceMean('perPixel', 'perColumn', [2], 0), // [1, 1, w]
    { opType: 'Mul', input: ['perColumn', 'K'], output: ['output0'] }, // [1, rows, w]
  ];
  return encodeModel(nodes, [1, 3, 'height', 'width'], [1, rows, 'anchors']);
}

/** Anchors as [cx, cy, w, h, ...scores] laid out as the Ultralytics `[1, 4 + C, N]` head. */
function head(anchors: readonly (readonly number[])[]): { head: Float32Array; outputDims: number[] } {
  const rows = anchors[0]?.length ?? 0;
  const n = anchors.length;
  const data = new Float32Array(rows * n);
  anchors.forEach((anchor, a) => anchor.forEach((v, r) => (data[r * n + a] = v)));
  return { head: data, outputDims: [1, rows, n] };
}

// Model input 64x64, frame 128x96: scale 0.5, 8 px of padding above and below.
// Frame box (x1, y1, x2, y2) <-> model box (x1 / 2, y1 / 2 + 8, x2 / 2, y2 / 2 + 8).
const ANCHORS = [
  [15, 33, 20, 30, 0.9, 0.1, 0], // person, frame (10, 20)-(50, 80): kept
  [16, 33, 20, 30, 0.8, 0, 0], // person, frame (12, 20)-(52, 80): suppressed by the first (IoU 0.9)
  [15, 33, 20, 30, 0, 0.7, 0], // car on the same box: kept, NMS is per label
  [40, 40, 10, 10, 0, 0, 0.95], // dog: not a wanted label
  [45, 20, 10, 10, 0.3, 0, 0], // person below 0.5
  [30, 50, 10, 10, 0.55, 0.6, 0], // best class car, below car's own 0.65 (the person score does not count)
  [60, 50, 16, 12, 0.85, 0, 0], // person, frame (104, 72)-(136, 96): clipped to the frame
  [40, 20, 2, 2, 0.9, 0, 0], // person of 4x4 frame pixels: below the minimum area
];

const FILTER: DetectionFilterOptions = {
  defaults: { minScore: 0.5, minArea: 100 },
  perLabel: { car: { minScore: 0.65 } },
  labels: ['person', 'car'],
};

function solidFrame(width: number, height: number, rgb: readonly [number, number, number]): DetectorImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { rgb: data, width, height };
}

async function rejection(promise: Promise<unknown>): Promise<VigilError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VigilError);
  return error as VigilError;
}

describe('createOnnxYoloDetector', () => {
  let dir: string;
  let labelsPath: string;

  async function writeModel(name: string, bytes: Uint8Array): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }

  function options(modelPath: string, extra: Partial<OnnxYoloDetectorOptions> = {}): OnnxYoloDetectorOptions {
    return { modelPath, labelsPath, device: 'cpu', filter: FILTER, nmsIou: 0.5, ...extra };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-onnx-'));
    labelsPath = join(dir, 'labels.txt');
    // person, car, dog: with the stray whitespace and blank lines hand-edited files have.
    await writeFile(labelsPath, '  person\n\ncar \r\ndog\n\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('letterboxes, decodes, maps back to frame pixels, filters and runs per-label NMS', async () => {
    const modelPath = await writeModel('fake-yolo.onnx', yoloModel(head(ANCHORS)));
    const detector = await createOnnxYoloDetector(options(modelPath));
    try {
      expect(detector.id).toBe('onnx:fake-yolo.onnx:64');
      expect(detector.concurrency).toBe(1);
      const detections = await detector.detect(solidFrame(128, 96, [40, 80, 120]));
      expect(detections).toEqual([
        { label: 'person', score: Math.fround(0.9), box: { x1: 10, y1: 20, x2: 50, y2: 80 } },
        { label: 'person', score: Math.fround(0.85), box: { x1: 104, y1: 72, x2: 128, y2: 96 } },
        { label: 'car', score: Math.fround(0.7), box: { x1: 10, y1: 20, x2: 50, y2: 80 } },
      ]);
    } finally {
      await detector.close();
    }
  });

  it('feeds the model RGB planes in [0, 1], padded with grey 114 around the letterboxed frame', async () => {
    // The person score becomes the mean of the red plane (weights 3, 0, 0 over three planes).
    const { head: k, outputDims } = head([[32, 32, 20, 20, 0, 0, 0]]);
    const mask = new Float32Array(k.length);
    mask[4] = 1;
    const model = yoloModel({ head: k, outputDims, mask, channelWeights: [3, 0, 0] });
    const modelPath = await writeModel('mean.onnx', model);
    const detector = await createOnnxYoloDetector(options(modelPath, { device: 'auto' }));
    try {
      const [detection] = await detector.detect(solidFrame(128, 96, [255, 0, 0]));
      // 48 of 64 rows are the red frame (1.0), 16 are padding (114 / 255).
      expect(detection?.label).toBe('person');
      expect(detection?.score).toBeCloseTo(0.75 + 0.25 * (114 / 255), 5);
    } finally {
      await detector.close();
    }
  });

  it('takes the input size from options when the model input is dynamic, else 640', async () => {
    const dynamic = yoloModel({ ...head(ANCHORS), inputDims: ['batch', 3, 'height', 'width'] });
    const modelPath = await writeModel('dynamic.onnx', dynamic);
    const sized = await createOnnxYoloDetector(options(modelPath, { inputSize: 96 }));
    const defaulted = await createOnnxYoloDetector(options(modelPath));
    expect([sized.id, defaulted.id]).toEqual(['onnx:dynamic.onnx:96', 'onnx:dynamic.onnx:640']);
    await expect(defaulted.detect(solidFrame(128, 96, [0, 0, 0]))).resolves.toBeInstanceOf(Array);
    await Promise.all([sized.close(), defaulted.close()]);
  });

  it('rejects an inputSize that contradicts the model', async () => {
    const modelPath = await writeModel('fixed.onnx', yoloModel(head(ANCHORS)));
    const error = await rejection(createOnnxYoloDetector(options(modelPath, { inputSize: 320 })));
    expect(error.code).toBe('model_invalid');
    expect(error.message).toMatch(/64x64.*320/);
  });

  it('reports a missing model file as model_invalid, naming the path', async () => {
    const modelPath = join(dir, 'nope.onnx');
    const error = await rejection(createOnnxYoloDetector(options(modelPath)));
    expect(error.code).toBe('model_invalid');
    expect(error.message).toContain(modelPath);
    expect(error.cause).toBeDefined();
  });

  it('reports a corrupt model file as model_invalid, on every device setting', async () => {
    const modelPath = await writeModel('garbage.onnx', new TextEncoder().encode('this is not a protobuf model'));
    for (const device of ['cpu', 'auto'] as const) {
      const error = await rejection(createOnnxYoloDetector(options(modelPath, { device })));
      expect(error.code).toBe('model_invalid');
      expect(error.message).toContain(modelPath);
      expect(error.cause).toBeInstanceOf(Error);
    }
  });

  it('reports a missing or empty labels file as model_invalid, naming the path', async () => {
    const modelPath = await writeModel('labels-test.onnx', yoloModel(head(ANCHORS)));
    const missing = join(dir, 'missing.txt');
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '\n  \n');
    for (const path of [missing, empty]) {
      const error = await rejection(createOnnxYoloDetector({ ...options(modelPath), labelsPath: path }));
      expect(error.code).toBe('model_invalid');
      expect(error.message).toContain(path);
    }
  });

  it('rejects a declared output shape that matches neither layout when it is created', async () => {
    // Five rows would mean one label, but the labels file has three.
    const bad = head(ANCHORS.map((a) => a.slice(0, 5)));
    const modelPath = await writeModel('bad-head.onnx', yoloModel(bad));
    const error = await rejection(createOnnxYoloDetector(options(modelPath)));
    expect(error.code).toBe('model_invalid');
    expect(error.message).toContain(modelPath);
    expect(error.message).toMatch(/\[1, 5, 8\].*\[1, 7, N\] or \[1, N, 7\]/);
  });

  it('rejects an output shape that matches neither layout at inference when it is only known then', async () => {
    const modelPath = await writeModel('late-bad-head.onnx', dynamicHeadModel(5));
    const detector = await createOnnxYoloDetector(options(modelPath, { inputSize: 8 }));
    try {
      const error = await rejection(detector.detect(solidFrame(128, 96, [0, 0, 0])));
      expect(error.code).toBe('model_invalid');
      expect(error.message).toMatch(/\[1, 5, 8\]/);
    } finally {
      await detector.close();
    }
  });

  it('fails clearly when CUDA is required, unless a CUDA runtime is installed', async () => {
    const modelPath = await writeModel('cuda.onnx', yoloModel(head(ANCHORS)));
    const outcome = await createOnnxYoloDetector(options(modelPath, { device: 'cuda' })).then(
      (detector) => detector,
      (e: unknown) => e,
    );
    if (outcome instanceof VigilError) {
      expect(outcome.code).toBe('detector_failed');
      expect(outcome.message).toMatch(/CUDA/);
    } else {
      await (outcome as Awaited<ReturnType<typeof createOnnxYoloDetector>>).close();
    }
  });

  it('rejects frames whose byte length does not match their size, and detecting after close', async () => {
    const modelPath = await writeModel('misc.onnx', yoloModel(head(ANCHORS)));
    const detector = await createOnnxYoloDetector(options(modelPath));
    const short = await rejection(detector.detect({ rgb: new Uint8Array(10), width: 128, height: 96 }));
    expect(short.code).toBe('invalid_argument');
    await detector.close();
    await detector.close();
    expect((await rejection(detector.detect(solidFrame(8, 8, [0, 0, 0])))).code).toBe('detector_failed');
  });
});
