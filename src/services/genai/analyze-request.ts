import { z } from 'zod';
import { VigilError } from '../../domain/errors.ts';
import type { AnalyzeImageRequest } from './analyze-image.service.ts';

/**
 * Booleans as Home Assistant's `cv.boolean` takes them: automations template their data, so
 * `use_text_model: "{{ is_state(...) }}"` arrives as the string "true" or "false".
 */
const haBoolean = z.union([
  z.boolean(),
  z.enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE', 'yes', 'no', 'on', 'off', '1', '0']).transform((v) => ['true', 'yes', 'on', '1'].includes(v.toLowerCase())),
  z.literal(1).transform(() => true),
  z.literal(0).transform(() => false),
]);

/**
 * An analyze_image request with Home Assistant's Ollama Vision field names: the body of
 * `POST /api/analyze` and the payload of the MQTT command topic `<prefix>/analyze`. As Ollama
 * Vision's own service schema: `device_id` picks the instance (see AnalyzeImageService), any
 * `image_name` is taken (its slug names the sensor), booleans may be strings.
 */
export const analyzeBodySchema = z.strictObject({
  image_url: z.string().min(1).max(4096).optional(),
  image_name: z.string().trim().min(1).max(255),
  prompt: z.string().min(1).max(8000).optional(),
  instance: z.string().min(1).max(64).optional(),
  /** Ollama Vision's way of choosing an instance (a Home Assistant device id). */
  device_id: z.string().min(1).max(128).optional(),
  use_text_model: haBoolean.optional(),
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
    ...(body.device_id !== undefined ? { deviceId: body.device_id } : {}),
    ...(body.use_text_model !== undefined ? { useTextModel: body.use_text_model } : {}),
    ...(body.text_prompt !== undefined ? { textPrompt: body.text_prompt } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
  };
}

/**
 * An image URL as Home Assistant automations write it, made absolute against Home Assistant's
 * address (`home_assistant.url`): `/api/camera_proxy/camera.x?token=...` (a camera's
 * `entity_picture`), `/local/snap.jpg`, and `www/snap.jpg`, which Ollama Vision turns into
 * `/local/snap.jpg` (files in Home Assistant's `config/www` are served there). Absolute URLs are
 * returned as they are.
 */
export function resolveHomeAssistantUrl(url: string, homeAssistantUrl: string | undefined): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
  const path = url.startsWith('www/') ? `/local/${url.slice(4)}` : url.startsWith('local/') ? `/${url}` : url;
  if (!path.startsWith('/') || path.startsWith('//')) throw new VigilError('invalid_argument', 'image_url must be an http(s) URL, or a Home Assistant path (/api/camera_proxy/..., /local/..., www/...)');
  if (homeAssistantUrl === undefined) {
    throw new VigilError('invalid_argument', `image_url ${path.slice(0, 80)} is relative to Home Assistant: set home_assistant.url (e.g. http://homeassistant.local:8123)`);
  }
  return new URL(path, homeAssistantUrl.endsWith('/') ? homeAssistantUrl : `${homeAssistantUrl}/`).toString();
}
