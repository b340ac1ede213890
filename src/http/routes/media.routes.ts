import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { HttpError } from '../http-error.ts';

const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png' };

/**
 * The media path of a request, checked segment by segment before it touches the file system:
 * only `runs/...` under the data directory, no `..`, no empty or hidden segments, no backslashes
 * or NULs (whether written plainly or percent-encoded), and only image files.
 */
export function safeMediaPath(rawPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (/[\\\0]/.test(decoded) || isAbsolute(decoded)) return undefined;
  const segments = decoded.split('/');
  if (segments[0] !== 'runs' || segments.length < 2) return undefined;
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))) return undefined;
  const ext = decoded.slice(decoded.lastIndexOf('.')).toLowerCase();
  return TYPES[ext] ? segments.join('/') : undefined;
}

/** Resolve inside `root`, following symlinks, and refuse anything that lands outside it. */
async function resolveInside(root: string, path: string): Promise<string | undefined> {
  try {
    const realRoot = await realpath(root);
    const target = await realpath(resolve(realRoot, path));
    const rel = relative(realRoot, target);
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return undefined;
    return target;
  } catch {
    return undefined;
  }
}

export function mediaRoutes(options: { dataDir: string }) {
  const notFound = () => new HttpError(404, 'not_found', 'no such media file');
  return new Hono().get('/*', async (c) => {
    const raw = c.req.path.replace(/^\/api\/media\//, '');
    const path = safeMediaPath(raw);
    if (!path) throw notFound();
    // Resolved inside runs/ itself: a symlink there must not lead elsewhere in the data directory.
    const file = await resolveInside(join(options.dataDir, 'runs'), path.slice('runs/'.length));
    if (!file) throw notFound();
    const info = await stat(file);
    if (!info.isFile()) throw notFound();
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    // Paths are never rewritten with other content (a re-render keeps size/mtime in the etag).
    const headers = {
      'Content-Type': TYPES[path.slice(path.lastIndexOf('.')).toLowerCase()] ?? 'application/octet-stream',
      'Cache-Control': 'private, max-age=60, must-revalidate',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    const stream = Readable.toWeb(createReadStream(file)) as ReadableStream;
    return c.body(stream, 200, { ...headers, 'Content-Length': String(info.size) });
  });
}
