import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { z } from 'zod';
import type { ImageAnalysisWire } from '../../contract/api.schemas.ts';
import type { AnnouncementFeed } from '../../ports/image-analysis-store.ts';
import type { Logger } from '../../ports/logger.ts';
import type { AnalyzeImageService } from '../../services/genai/analyze-image.service.ts';
import { analyzeBodySchema, analyzeRequestFromBody } from '../../services/genai/analyze-request.ts';
import { VigilError } from '../../domain/errors.ts';
import { echo, echoList } from '../echo.ts';
import { ACCEPTED_IMAGES, isAcceptedImage } from '../image-kinds.ts';

function invalid(error: z.ZodError): VigilError {
  const details = error.issues.map((i) =>
    i.code === 'unrecognized_keys' ? `unknown field ${echoList(i.keys)}` : `${i.path.join('.') || 'body'}: ${i.message}`,
  );
  return new VigilError('invalid_argument', details[0] ?? 'invalid request body', { details });
}

/**
 * A JSON body, or multipart/form-data with an `image` file and the same fields as text. The body
 * was already held to its limit (body-limits.ts); the image itself to `maxImageBytes`.
 */
async function readRequest(
  c: { req: { header(name: string): string | undefined; json(): Promise<unknown>; parseBody(): Promise<Record<string, unknown>> } },
  maxImageBytes: number,
) {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody().catch((error: unknown) => {
      throw new VigilError('invalid_argument', 'the body is not valid multipart/form-data', { cause: error });
    });
    const file = form['image'];
    const fields = Object.fromEntries(Object.entries(form).filter(([k, v]) => k !== 'image' && typeof v === 'string')) as Record<string, string>;
    // Text fields as they are: the schema reads "true"/"false" (and Home Assistant's other spellings) itself.
    const parsed = analyzeBodySchema.safeParse(fields);
    if (!parsed.success) throw invalid(parsed.error);
    if (!(file instanceof File)) return { body: parsed.data, image: undefined };
    if (file.size > maxImageBytes) throw new VigilError('too_large', `the image is larger than genai.analyze_image.max_bytes (${maxImageBytes} bytes)`);
    const data = new Uint8Array(await file.arrayBuffer());
    // Told here, in words that match what is taken, before any decoder sees the bytes.
    if (!isAcceptedImage(data)) throw new VigilError('unsupported_media_type', `the uploaded image is not ${ACCEPTED_IMAGES}`);
    return { body: parsed.data, image: { data } };
  }
  if (!type.startsWith('application/json')) throw new VigilError('unsupported_media_type', 'send application/json or multipart/form-data');
  const raw: unknown = await c.req.json().catch((error: unknown) => {
    throw new VigilError('invalid_argument', 'the body is not valid JSON', { cause: error });
  });
  const parsed = analyzeBodySchema.safeParse(raw);
  if (!parsed.success) throw invalid(parsed.error);
  return { body: parsed.data, image: undefined };
}

export function analyzeRoutes(deps: { analyzeImage: AnalyzeImageService; feed: AnnouncementFeed; logger?: Logger; maxImageBytes: number }) {
  const app = new Hono();

  app.post('/analyze', async (c) => {
    const { body, image } = await readRequest(c, deps.maxImageBytes);
    const result: ImageAnalysisWire = await deps.analyzeImage.analyze(analyzeRequestFromBody(body, { ...(image ? { image } : {}), signal: c.req.raw.signal }));
    return c.json(result);
  });

  app.get('/analyze/latest/:image_name', async (c) => {
    const latest: ImageAnalysisWire | undefined = await deps.analyzeImage.latest(c.req.param('image_name'));
    if (!latest) throw new VigilError('not_found', `no analysis for image_name ${echo(c.req.param('image_name'))} yet`);
    return c.json(latest);
  });

  /** Server-sent events: one `image_analyzed` event per finished analysis, plus a keep-alive comment. */
  app.get('/stream', (c) =>
    streamSSE(c, async (stream) => {
      let id = 0;
      const unsubscribe = deps.feed.subscribe(({ topic, payload }) => {
        stream.writeSSE({ event: topic, data: JSON.stringify(payload), id: String(++id) }).catch((error: unknown) => {
          // The client went away mid-write: stop sending to it (the abort handler may not have run yet).
          deps.logger?.debug({ err: error }, 'an SSE client could not be written to');
          unsubscribe();
        });
      });
      stream.onAbort(unsubscribe);
      await stream.writeSSE({ event: 'ready', data: '{}' });
      while (!stream.aborted && !stream.closed) {
        await stream.sleep(15_000);
        if (!stream.aborted) await stream.write(': keep-alive\n\n');
      }
      unsubscribe();
    }),
  );
  return app;
}
