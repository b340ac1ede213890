import { z } from 'zod';

/** Messages between the CenterNet pool (main thread) and its workers, validated on both ends. */
export const workerInitSchema = z.object({ modelDir: z.string(), minScore: z.number() });
export type WorkerInit = z.infer<typeof workerInitSchema>;

export const detectRequestSchema = z.object({
  id: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  rgb: z.instanceof(ArrayBuffer),
});
export type DetectRequest = z.infer<typeof detectRequestSchema>;

const boxSchema = z.object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() });
export const workerReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('init_failed'), message: z.string() }),
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    detections: z.array(z.object({ label: z.string(), score: z.number(), box: boxSchema })),
  }),
  z.object({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
]);
export type WorkerReply = z.infer<typeof workerReplySchema>;
