import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { VigilError } from '../domain/errors.ts';

/**
 * The most a JSON body may hold. The largest valid one (`POST /api/analyze` with a 4,096-character
 * URL, two 8,000-character prompts and the shorter fields, every character written as a six-byte
 * `\u` escape) is about 120 KiB; twice that leaves room for whitespace and still bounds what a
 * request can make the server hold.
 */
export const JSON_BODY_LIMIT = 256 * 1024;

/** What a multipart upload may carry beside the image: the text fields, part headers and boundaries. */
export const MULTIPART_OVERHEAD = JSON_BODY_LIMIT;

/** The model gateway's paths (src/http/gateway). */
export const GATEWAY_PREFIX = '/v1/';

/** The route that takes an image upload (multipart/form-data); every other body is JSON. */
const UPLOAD_PATH = '/api/analyze';

/**
 * Answers 413 (`too_large`) as soon as a request body passes its limit, before more of it is read:
 * at once when `Content-Length` says so, else (chunked) when the bytes read so far pass it. Hono's
 * `bodyLimit` reads the request stream chunk by chunk and stops there (it holds at most the limit);
 * the node server then discards what the client still sends for a moment and closes the connection.
 * A body under the limit is passed on as it is, so routes read it as usual.
 */
export function limitRequestBodies(options: { maxImageBytes: number }): MiddlewareHandler {
  const uploadLimit = options.maxImageBytes + MULTIPART_OVERHEAD;
  const tooLarge = (message: string) => () => {
    throw new VigilError('too_large', message);
  };
  const json = bodyLimit({ maxSize: JSON_BODY_LIMIT, onError: tooLarge(`the request body is larger than ${JSON_BODY_LIMIT} bytes`) });
  const upload = bodyLimit({
    maxSize: uploadLimit,
    onError: tooLarge(`the upload is larger than ${uploadLimit} bytes (an image of at most genai.analyze_image.max_bytes, ${options.maxImageBytes} bytes, and its fields)`),
  });
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    // The model gateway bounds its own bodies (gateway.max_body_mb), after checking the key.
    if (c.req.path.startsWith(GATEWAY_PREFIX)) return next();
    const multipart = (c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
    return multipart && c.req.path === UPLOAD_PATH ? upload(c, next) : json(c, next);
  };
}
