import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import { VigilError } from '../../domain/errors.ts';
import { isMissingFile } from '../missing-file.ts';

/** Undefined when the file is not there; any other failure is the server's (logged by the error handler). */
async function orMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw new VigilError('storage_failed', 'a file of the web UI could not be read', { cause: error });
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/** A path inside the built UI, or undefined (then the SPA's index.html answers). */
function assetPath(requestPath: string): string | undefined {
  const segments = requestPath.split('/').filter(Boolean);
  if (segments.length === 0 || segments.some((s) => s === '..' || s.startsWith('.') || /[\\\0%]/.test(s))) return undefined;
  return segments.join('/');
}

/** The built web UI (web/dist): hashed assets cached long, everything else falls back to index.html. */
export function webUiRoutes(options: { webRoot: string }) {
  const security = {
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
  return new Hono().get('/*', async (c) => {
    const asset = assetPath(c.req.path);
    if (asset) {
      const file = join(options.webRoot, asset);
      const info = await orMissing(stat(file));
      if (info?.isFile()) {
        const ext = asset.slice(asset.lastIndexOf('.'));
        const cache = asset.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
        return c.body(await readFile(file), 200, { 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Cache-Control': cache, ...security });
      }
    }
    const index = await orMissing(readFile(join(options.webRoot, 'index.html')));
    if (!index) return c.text('The web UI is not built: run `npm run build`.', 503);
    return c.body(index, 200, { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-cache', ...security });
  });
}
