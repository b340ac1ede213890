import { parentPort, workerData } from 'node:worker_threads';
import { CenterNetModel } from './centernet-model.ts';
import { detectRequestSchema, workerInitSchema, type WorkerReply } from './centernet-protocol.ts';

/** One CenterNet model per worker thread: each uses about one core. */
const port = parentPort;
if (!port) throw new Error('centernet.worker must run in a worker thread');
const reply = (message: WorkerReply) => port.postMessage(message);

const init = workerInitSchema.parse(workerData);
try {
  const model = await CenterNetModel.load(init.modelDir);
  port.on('message', (raw: unknown) => {
    const request = detectRequestSchema.safeParse(raw);
    if (!request.success) return; // Only the pool talks to this port; anything else is a programming error upstream.
    const { id, width, height, rgb } = request.data;
    try {
      const detections = model.detect(new Uint8Array(rgb), { width, height }, init.minScore);
      reply({ type: 'result', id, detections });
    } catch (error) {
      reply({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
    }
  });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'init_failed', message: error instanceof Error ? error.message : String(error) });
}
