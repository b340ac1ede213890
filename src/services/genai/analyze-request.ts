import { z } from 'zod';
import type { AnalyzeImageRequest } from './analyze-image.service.ts';

/**
 * An analyze_image request with Home Assistant's Ollama Vision field names: the body of
 * `POST /api/analyze` and the payload of the MQTT command topic `<prefix>/analyze`.
 */
export const analyzeBodySchema = z.strictObject({
  image_url: z.string().min(1).max(4096).optional(),
  image_name: z.string().min(1).max(64),
  prompt: z.string().min(1).max(8000).optional(),
  instance: z.string().min(1).max(64).optional(),
  use_text_model: z.boolean().optional(),
  text_prompt: z.string().min(1).max(8000).optional(),
});

export type AnalyzeBody = z.output<typeof analyzeBodySchema>;

/** The wire fields as the service's request. */
export function analyzeRequestFromBody(body: AnalyzeBody, extra: Pick<AnalyzeImageRequest, 'image' | 'signal'> = {}): AnalyzeImageRequest {
  return {
    imageName: body.image_name,
    ...(body.image_url !== undefined ? { imageUrl: body.image_url } : {}),
    ...(extra.image ? { image: extra.image } : {}),
    ...(body.prompt !== undefined ? { prompt: body.prompt } : {}),
    ...(body.instance !== undefined ? { instance: body.instance } : {}),
    ...(body.use_text_model !== undefined ? { useTextModel: body.use_text_model } : {}),
    ...(body.text_prompt !== undefined ? { textPrompt: body.text_prompt } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
  };
}
