import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVigilServer, type RunningServer } from '../../src/app.ts';
import { parseConfigText } from '../../src/config/index.ts';
import { errorBodySchema } from '../../src/contract/api.schemas.ts';
import { JSON_BODY_LIMIT, MULTIPART_OVERHEAD } from '../../src/http/body-limits.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.ts';

/**
 * Request bodies against a real listening server (node:http on both sides), because what matters
 * is what happens on the wire: whether the server answers 413 before it has read an oversized
 * body, and whether it stops reading one that comes without a Content-Length.
 */

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const KiB = 1024;
const MiB = 1024 * KiB;
/** genai.analyze_image.max_bytes in this test's configuration. */
const MAX_IMAGE = 100_000;
const UPLOAD_LIMIT = MAX_IMAGE + MULTIPART_OVERHEAD;

let dir: string;
let llm: FakeLlmServer;
let images: Server;
let imageUrl: string;
let server: RunningServer;
let png: Buffer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-http-limits-'));
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } }).png().toBuffer();
  images = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}/blue.png`;
  llm = await startFakeLlmServer();
  llm.setFallback({ json: { model: 'llava:7b', message: { role: 'assistant', content: 'A blue square.' }, done: true, prompt_eval_count: 10, eval_count: 4 } });
  const config = `storage:
  data_dir: data
genai:
  enabled: true
  providers:
    vlm: { provider: ollama, model: "llava:7b", base_url: "${llm.url}", timeout_s: 5 }
  analyze_image:
    max_bytes: ${MAX_IMAGE}
    allowed_hosts: [127.0.0.1]
    instances:
      porch: { vision: vlm }
`;
  const loaded = { ...parseConfigText(config, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  server = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silent });
});
afterAll(async () => {
  await server?.close();
  await llm?.close();
  await new Promise<void>((resolve) => images.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  status: number;
  body: string;
  /** Bytes of the body written when the answer arrived. */
  sentBeforeAnswer: number;
  /** Bytes of the body written in all. */
  sent: number;
  total: number;
  /** The server closed the connection before the client could write the whole body. */
  cutOff: boolean;
  /** Growth of this process's ArrayBuffer memory (server and client share it) while sending. */
  peakGrowth: number;
}

/**
 * POSTs `pieces` one after another, with backpressure, optionally with a pause between them, and
 * with or without a Content-Length (without one, node sends it chunked). Keeps writing after the
 * answer, to see whether the server goes on reading or closes the connection.
 */
function post(path: string, pieces: readonly Uint8Array[], options: { headers: Record<string, string>; declareLength?: number | boolean; delayMs?: number; stopAfterAnswer?: boolean }): Promise<Outcome> {
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const declared = options.declareLength === true ? total : typeof options.declareLength === 'number' ? options.declareLength : undefined;
  const url = new URL(path, server.url);
  const baseline = process.memoryUsage().arrayBuffers;
  let peak = baseline;
  return new Promise<Outcome>((resolve, reject) => {
    let sent = 0;
    let sentBeforeAnswer = -1;
    let answer: { status: number; body: string } | undefined;
    let closed = false;
    let written = false;
    const onClosed: Array<() => void> = [];
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: false,
      headers: { ...options.headers, ...(declared !== undefined ? { 'content-length': String(declared) } : {}) },
    });
    const finish = () => {
      if (!answer || !(closed || written)) return;
      resolve({ ...answer, sentBeforeAnswer, sent, total, cutOff: sent < total, peakGrowth: peak - baseline });
    };
    const markClosed = () => {
      closed = true;
      for (const wake of onClosed.splice(0)) wake();
      finish();
    };
    req.on('socket', (socket) => socket.on('close', markClosed));
    // The server closing the connection while the client still writes shows up as EPIPE/ECONNRESET.
    req.on('error', markClosed);
    req.on('response', (res) => {
      sentBeforeAnswer = sent;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        answer = { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
        if (options.stopAfterAnswer) req.destroy();
        finish();
      });
      res.on('error', reject);
    });
    const wait = (ms: number) => new Promise<void>((wake) => setTimeout(wake, ms));
    const drained = () =>
      new Promise<void>((wake) => {
        req.once('drain', wake);
        onClosed.push(wake);
      });
    void (async () => {
      for (const piece of pieces) {
        if (closed || req.destroyed) return;
        const ok = req.write(piece);
        sent += piece.length;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
        if (!ok) await drained();
        if (options.delayMs) await wait(options.delayMs);
      }
      if (closed || req.destroyed) return;
      req.end(() => {
        written = true;
        finish();
      });
    })().catch(reject);
  });
}

/** `count` pieces of `size` bytes; the same buffer each time, so the client holds one piece however long the body. */
const repeated = (size: number, count: number, fill = 0x20): Uint8Array[] => {
  const piece = Buffer.alloc(size, fill);
  return Array.from({ length: count }, () => piece);
};

const json = { 'content-type': 'application/json' };
const errorOf = (outcome: Outcome) => errorBodySchema.parse(JSON.parse(outcome.body)).error;

function multipart(parts: Array<{ name: string; value: string } | { name: string; filename: string; type: string; data: Uint8Array }>) {
  const boundary = '----vigil-test-boundary-7f3a';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const head =
      'data' in part
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n`;
    chunks.push(Buffer.from(head), 'data' in part ? Buffer.from(part.data) : Buffer.from(part.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: Buffer.concat(chunks) };
}

describe('request-body limits on a listening server', () => {
  it('answers 413 at once when the Content-Length is over the limit, before the body is sent', async () => {
    // 300 MB declared; only the first 64 KiB is ever written, and only if the server waits for it.
    const outcome = await post('/api/analyze', repeated(64 * KiB, 1), { headers: json, declareLength: 300 * MiB, stopAfterAnswer: true });
    expect(outcome.status).toBe(413);
    expect(outcome.sentBeforeAnswer).toBeLessThanOrEqual(64 * KiB);
    expect(errorOf(outcome)).toMatchObject({ code: 'too_large', message: `the request body is larger than ${JSON_BODY_LIMIT} bytes` });
  });

  it('answers 413 once a chunked body passes the limit, stops reading it, and does not hold it', async () => {
    const total = 256 * MiB;
    const outcome = await post('/api/analyze', repeated(64 * KiB, total / (64 * KiB)), { headers: json });
    expect(outcome.status).toBe(413);
    expect(errorOf(outcome).code).toBe('too_large');
    // Answered long before the end, and the connection was closed before the client got it all out.
    expect(outcome.sentBeforeAnswer).toBeGreaterThan(JSON_BODY_LIMIT);
    expect(outcome.sentBeforeAnswer).toBeLessThan(total / 8);
    expect(outcome.cutOff).toBe(true);
    expect(outcome.sent).toBeLessThan(total / 2);
    // Read into memory whole, the body alone would add 256 MB here.
    expect(outcome.peakGrowth).toBeLessThan(total / 2);
  });

  it('answers 413 to a slow chunked body as soon as it passes the limit, and closes the connection', async () => {
    const piece = 16 * KiB;
    const total = 4 * MiB;
    const outcome = await post('/api/analyze', repeated(piece, total / piece), { headers: json, delayMs: 10 });
    expect(outcome.status).toBe(413);
    expect(errorOf(outcome).code).toBe('too_large');
    expect(outcome.sentBeforeAnswer).toBeGreaterThan(JSON_BODY_LIMIT);
    // Within a few pieces of passing the limit (slack for a loaded machine), not at the end.
    expect(outcome.sentBeforeAnswer).toBeLessThan(JSON_BODY_LIMIT + 32 * piece);
    expect(outcome.cutOff).toBe(true);
  });

  it('answers 413 to a multipart upload over the limit, with or without a Content-Length', async () => {
    const big = multipart([
      { name: 'image_name', value: 'porch' },
      { name: 'image', filename: 'big.png', type: 'image/png', data: Buffer.alloc(UPLOAD_LIMIT + 1, 1) },
    ]);
    const declared = await post('/api/analyze', [big.body], { headers: big.headers, declareLength: true, stopAfterAnswer: true });
    expect(declared.status).toBe(413);
    expect(errorOf(declared)).toMatchObject({ code: 'too_large', message: expect.stringContaining('genai.analyze_image.max_bytes') });
    const chunked = await post('/api/analyze', [big.body.subarray(0, 64 * KiB), big.body.subarray(64 * KiB)], { headers: big.headers });
    expect(chunked.status).toBe(413);
    // Fields count too: a small image with a huge text field is over the limit just the same.
    const padded = multipart([
      { name: 'image_name', value: 'porch' },
      { name: 'prompt', value: 'x'.repeat(UPLOAD_LIMIT) },
      { name: 'image', filename: 'blue.png', type: 'image/png', data: png },
    ]);
    expect((await post('/api/analyze', [padded.body], { headers: padded.headers, declareLength: true })).status).toBe(413);
  });

  it('answers 413 to an image over genai.analyze_image.max_bytes even when the whole upload is within its limit', async () => {
    const over = multipart([
      { name: 'image_name', value: 'porch' },
      { name: 'image', filename: 'big.png', type: 'image/png', data: Buffer.concat([png, Buffer.alloc(MAX_IMAGE, 1)]) },
    ]);
    const outcome = await post('/api/analyze', [over.body], { headers: over.headers, declareLength: true });
    expect(outcome.status).toBe(413);
    expect(errorOf(outcome).message).toBe(`the image is larger than genai.analyze_image.max_bytes (${MAX_IMAGE} bytes)`);
  });

  it('still takes bodies under the limit: JSON (chunked, padded close to the limit) and uploads', async () => {
    const body = JSON.stringify({ image_url: imageUrl, image_name: 'padded' });
    const padded = Buffer.from(body.replace('{', `{${' '.repeat(JSON_BODY_LIMIT - body.length - 16)}`));
    expect(padded.length).toBeLessThan(JSON_BODY_LIMIT);
    const chunked = await post('/api/analyze', [padded.subarray(0, 100 * KiB), padded.subarray(100 * KiB)], { headers: json });
    expect(chunked.status, chunked.body).toBe(200);
    expect(JSON.parse(chunked.body)).toMatchObject({ image_name: 'padded', description: 'A blue square.' });

    const declared = await post('/api/analyze', [Buffer.from(body)], { headers: json, declareLength: true });
    expect(declared.status, declared.body).toBe(200);

    const upload = multipart([
      { name: 'image_name', value: 'uploaded' },
      { name: 'image', filename: 'blue.png', type: 'image/png', data: png },
    ]);
    const uploaded = await post('/api/analyze', [upload.body], { headers: upload.headers, declareLength: true });
    expect(uploaded.status, uploaded.body).toBe(200);
    const uploadedChunked = await post('/api/analyze', [upload.body.subarray(0, 100), upload.body.subarray(100)], { headers: upload.headers });
    expect(uploadedChunked.status, uploadedChunked.body).toBe(200);
  });

  it('says which kinds of image an upload may be, and takes each of them', async () => {
    const send = (filename: string, data: Uint8Array) => {
      const form = multipart([
        { name: 'image_name', value: 'kinds' },
        { name: 'image', filename, type: 'application/octet-stream', data },
      ]);
      return post('/api/analyze', [form.body], { headers: form.headers, declareLength: true });
    };
    const pdf = await send('report.pdf', Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'));
    expect(pdf.status).toBe(415);
    expect(errorOf(pdf)).toEqual({ code: 'unsupported_media_type', message: 'the uploaded image is not a JPEG, PNG, WebP, GIF, AVIF, TIFF or SVG image', details: [] });
    const square = sharp({ create: { width: 32, height: 32, channels: 3, background: '#cc3300' } });
    const kinds: Array<[string, Uint8Array]> = [
      ['a.jpg', await square.clone().jpeg().toBuffer()],
      ['a.png', png],
      ['a.webp', await square.clone().webp().toBuffer()],
      ['a.gif', await square.clone().gif().toBuffer()],
      ['a.tiff', await square.clone().tiff().toBuffer()],
      ['a.svg', Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" fill="red"/></svg>')],
    ];
    for (const [name, data] of kinds) {
      const outcome = await send(name, data);
      expect(outcome.status, `${name}: ${outcome.body}`).toBe(200);
    }
  });

  it('limits every other route that could be sent a body to the JSON limit', async () => {
    // 512 KiB declared; only the first 64 KiB is written, and only if the server waits for it.
    const outcome = await post('/api/events/some-event/description/regenerate', repeated(64 * KiB, 1), { headers: json, declareLength: 512 * KiB, stopAfterAnswer: true });
    expect(outcome.status).toBe(413);
    expect(outcome.sentBeforeAnswer).toBeLessThanOrEqual(64 * KiB);
  });
});
