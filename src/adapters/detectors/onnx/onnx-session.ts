import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { VigilError } from '../../../domain/errors.ts';

export type OnnxDevice = 'auto' | 'cpu' | 'cuda';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function createSession(modelPath: string, executionProviders: string[]): Promise<InferenceSession> {
  // The path (not the bytes) so that models with external weight files still resolve them.
  // Warnings (e.g. unused initializers in exported models) are not worth the user's attention.
  return InferenceSession.create(modelPath, { executionProviders, logSeverityLevel: 3 });
}

function invalidModel(modelPath: string, error: unknown): VigilError {
  return new VigilError('model_invalid', `Cannot load the ONNX model ${modelPath}: ${messageOf(error)}`, {
    cause: error,
  });
}

/**
 * Whether onnxruntime-node's CUDA provider library was installed (it is a separate download,
 * skipped on CPU-only machines). Trying CUDA without it makes onnxruntime print an error line
 * on every start, which would alarm users who never asked for a GPU.
 */
function cudaProviderInstalled(): boolean {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    return existsSync(join(packageDir, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

async function createOnCpu(modelPath: string): Promise<InferenceSession> {
  try {
    return await createSession(modelPath, ['cpu']);
  } catch (error) {
    throw invalidModel(modelPath, error);
  }
}

/**
 * Open a model on the requested device. onnxruntime does not fall back by itself when the CUDA
 * provider cannot be loaded (the whole session creation fails), so 'auto' retries on the CPU.
 * For 'cuda' the CPU attempt only tells a broken model apart from a missing GPU runtime.
 */
export async function openOnnxSession(modelPath: string, device: OnnxDevice): Promise<InferenceSession> {
  try {
    const info = await stat(modelPath);
    if (!info.isFile()) throw new Error('not a file');
  } catch (error) {
    throw invalidModel(modelPath, error);
  }

  if (device === 'cpu' || (device === 'auto' && !cudaProviderInstalled())) return createOnCpu(modelPath);

  let cudaError: unknown;
  try {
    return await createSession(modelPath, device === 'auto' ? ['cuda', 'cpu'] : ['cuda']);
  } catch (error) {
    cudaError = error;
  }
  const session = await createOnCpu(modelPath);
  if (device === 'auto') return session;

  await session.release();
  throw new VigilError(
    'detector_failed',
    `The detector is set to run on CUDA but onnxruntime could not use it (${messageOf(cudaError)}); ` +
      'install the CUDA build of onnxruntime-node and its CUDA/cuDNN libraries, or set the device to "auto" or "cpu".',
    { cause: cudaError },
  );
}
