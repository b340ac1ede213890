import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../domain/errors.ts';
import { isPrivateAddress } from './address-policy.ts';
import { SafeImageFetcher, sniffImageType } from './image-fetcher.ts';

let server: Server;
let base: string;
let jpeg: Buffer;

beforeAll(async () => {
  jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } }).jpeg().toBuffer();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/cam.jpg') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(jpeg);
    } else if (url.pathname === '/page') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not an image</html>');
    } else if (url.pathname === '/big') {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(10_000_000) }).end();
    } else if (url.pathname === '/stream-big') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.write(jpeg);
      res.end(Buffer.alloc(200_000));
    } else if (url.pathname === '/slow') {
      setTimeout(() => res.writeHead(200).end(jpeg), 2000);
    } else if (url.pathname.startsWith('/hop/')) {
      const n = Number(url.pathname.slice(5));
      res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : '/cam.jpg' }).end();
    } else if (url.pathname === '/away') {
      res.writeHead(302, { location: 'http://example.invalid/x.jpg' }).end();
    } else {
      res.writeHead(404).end('missing');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const local = (overrides: Partial<ConstructorParameters<typeof SafeImageFetcher>[0]> = {}) =>
  new SafeImageFetcher({ maxBytes: 100_000, timeoutMs: 1000, maxRedirects: 3, allowedHosts: ['127.0.0.1'], ...overrides });

async function failure(promise: Promise<unknown>): Promise<VigilError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('SafeImageFetcher', () => {
  it('fetches an image and trusts the bytes, not the content type', async () => {
    const image = await local().fetch(`${base}/cam.jpg`);
    expect(image.mimeType).toBe('image/jpeg');
    expect(Buffer.from(image.data).equals(jpeg)).toBe(true);
  });

  it('follows redirects up to the limit, and no further', async () => {
    expect((await local().fetch(`${base}/hop/2`)).finalUrl).toBe(`${base}/cam.jpg`);
    expect((await failure(local().fetch(`${base}/hop/5`))).message).toMatch(/redirected more than 3 times/);
  });

  it('re-checks every redirect target against the allowed hosts', async () => {
    expect((await failure(local().fetch(`${base}/away`))).message).toBe('example.invalid is not in genai.analyze_image.allowed_hosts');
  });

  it('refuses private addresses unless their host is allowed', async () => {
    const open = local({ allowedHosts: [] });
    expect((await failure(open.fetch(`${base}/cam.jpg`))).message).toMatch(/127\.0\.0\.1 is a private address/);
    expect((await failure(open.fetch('http://[::1]:9/x.jpg'))).message).toMatch(/::1 is a private address/);
    const viaName = await failure(open.fetch(`http://localhost:${new URL(base).port}/cam.jpg`));
    expect(viaName.message).toMatch(/localhost resolves only to private addresses/);
  });

  it('bounds size (declared or streamed) and time', async () => {
    expect((await failure(local().fetch(`${base}/big`))).message).toMatch(/is 10000000 bytes; the limit is 100000/);
    expect((await failure(local().fetch(`${base}/stream-big`))).message).toMatch(/larger than the limit of 100000 bytes/);
    const slow = await failure(local({ timeoutMs: 200 }).fetch(`${base}/slow`));
    expect(slow.message).toMatch(/did not answer within 0.2 s/);
    expect(slow.retryable).toBe(true);
  });

  it('says clearly what went wrong for non-images, HTTP errors and bad URLs', async () => {
    expect((await failure(local().fetch(`${base}/page`))).message).toMatch(/is not a JPEG, PNG or WebP image \(server said: text\/html\)/);
    expect((await failure(local().fetch(`${base}/nothing`))).message).toMatch(/answered HTTP 404/);
    expect((await failure(local().fetch('file:///etc/passwd'))).message).toBe('only http and https image URLs are fetched, not file:');
    expect((await failure(local().fetch('not a url'))).message).toBe('"not a url" is not a URL');
  });
});

describe('address policy and sniffing', () => {
  it('knows private and public addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('recognises JPEG, PNG and WebP by their bytes only', () => {
    expect(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]))).toBe('image/png');
    expect(sniffImageType(new Uint8Array(Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ')))).toBe('image/webp');
    expect(sniffImageType(new Uint8Array(Buffer.from('<html>')))).toBeUndefined();
  });
});
