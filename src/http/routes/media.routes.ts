import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { VigilError } from '../../domain/errors.ts';
import { isMissingFile } from '../missing-file.ts';

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
  } catch (error) {
    // Only a malformed percent-escape can throw here: such a path names no file.
    if (error instanceof URIError) return undefined;
    throw error;
  }
  if (/[\\\0]/.test(decoded) || isAbsolute(decoded)) return undefined;
  const segments = decoded.split('/');
  if (segments[0] !== 'runs' || segments.length < 2) return undefined;
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))) return undefined;
  const ext = decoded.slice(decoded.lastIndexOf('.')).toLowerCase();
  return TYPES[ext] ? segments.join('/') : undefined;
}

/**
 * Resolve inside `root`, following symlinks, and refuse anything that lands outside it. A missing
 * file is undefined; any other file-system failure (permissions, I/O) is the server's and is thrown.
 */
async function resolveInside(root: string, path: string): Promise<string | undefined> {
  try {
    const realRoot = await realpath(root);
    const target = await realpath(resolve(realRoot, path));
    const rel = relative(realRoot, target);
    if (rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return undefined;
    return target;
  } catch (error) {
    if (isMissingFile(error)) return undefined;
    throw new VigilError('storage_failed', 'a media file could not be read', { cause: error });
  }
}

export function mediaRoutes(options: { dataDir: string }) {
  const notFound = () => new VigilError('not_found', 'no such media file');
  return new Hono().get('/*', async (c) => {
    const raw = c.req.path.replace(/^\/api\/media\//, '');
    const path = safeMediaPath(raw);
    if (!path) throw notFound();
    // Resolved inside runs/ itself: a symlink there must not lead elsewhere in the data directory.
    const file = await resolveInside(join(options.dataDir, 'runs'), path.slice('runs/'.length));
    if (!file) throw notFound();
    // Retention may remove the file between the two calls: then it is simply not there.
    const info = await stat(file).catch((error: unknown) => {
      if (isMissingFile(error)) return undefined;
      throw error;
    });
    if (!info?.isFile()) throw notFound();
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
