/**
 * A local stand-in for Frigate's HTTP API: snapshots and thumbnails of the events it is told
 * about (served from test/fixtures/images), their clips when given one, description write-backs recorded, optional 0.14+
 * login (POST /api/login -> frigate_token cookie, then Bearer), and an outage switch: `down('refuse')`
 * closes the port, `down('503')` answers 503, `up()` comes back on the same port.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FIXTURE_JPEG = readFileSync(new URL('../fixtures/images/person.jpg', import.meta.url));

export interface FakeFrigate {
  url: string;
  /** Events with images; others answer 404. */
  addEvent(id: string): void;
  /** Gives an event a recording (`clip.mp4`); events without one answer 404, as Frigate does. */
  addClip(id: string, mp4: Uint8Array): void;
  descriptions: Array<{ id: string; description: string }>;
  requests: Array<{ method: string; path: string; authorization?: string }>;
  /** Resolves on the next recorded write-back. */
  nextDescription(): Promise<{ id: string; description: string }>;
  down(mode: 'refuse' | '503'): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeFrigate(options: { auth?: { user: string; password: string } } = {}): Promise<FakeFrigate> {
  const events = new Set<string>();
  const clips = new Map<string, Uint8Array>();
  const descriptions: FakeFrigate['descriptions'] = [];
  const requests: FakeFrigate['requests'] = [];
  const waiting: Array<(d: { id: string; description: string }) => void> = [];
  const token = 'header.payload.signature';
  let mode: 'up' | '503' = 'up';

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://frigate.invalid').pathname;
      requests.push({ method: req.method ?? 'GET', path, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      const json = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (mode === '503') return json(503, { message: 'Frigate is starting' });
      if (path === '/api/login' && req.method === 'POST') {
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { user?: string; password?: string };
        if (!options.auth || body.user !== options.auth.user || body.password !== options.auth.password) return json(401, { message: 'Login failed' });
        res.writeHead(200, { 'set-cookie': [`frigate_token=${token}; Path=/; HttpOnly`] });
        return res.end();
      }
      if (options.auth && req.headers.authorization !== `Bearer ${token}`) return json(401, { message: 'Unauthorized' });
      const image = /^\/api\/events\/([^/]+)\/(snapshot|thumbnail)\.jpg$/.exec(path);
      if (image && req.method === 'GET') {
        if (!events.has(decodeURIComponent(image[1]!))) return json(404, { success: false, message: 'Event not found' });
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(FIXTURE_JPEG.length) });
        return res.end(FIXTURE_JPEG);
      }
      const clip = /^\/api\/events\/([^/]+)\/clip\.mp4$/.exec(path);
      if (clip && req.method === 'GET') {
        const mp4 = clips.get(decodeURIComponent(clip[1]!));
        if (!mp4) return json(404, { success: false, message: 'No recordings found for the specified time range' });
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(mp4.length) });
        return res.end(mp4);
      }
      const description = /^\/api\/events\/([^/]+)\/description$/.exec(path);
      if (description && req.method === 'POST') {
        const id = decodeURIComponent(description[1]!);
        if (!events.has(id)) return json(404, { success: false, message: `Event ${id} not found` });
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { description: string };
        const entry = { id, description: body.description };
        descriptions.push(entry);
        waiting.splice(0).forEach((resolve) => resolve(entry));
        return json(200, { success: true, message: `Event ${id} description set to ${body.description}` });
      }
      json(404, { message: 'Not found' });
    });
  };

  let server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  return {
    url: `http://127.0.0.1:${port}`,
    addEvent: (id) => void events.add(id),
    addClip: (id, mp4) => void clips.set(id, mp4),
    descriptions,
    requests,
    nextDescription: () => new Promise((resolve) => waiting.push(resolve)),
    down: async (how) => {
      if (how === '503') mode = '503';
      else if (server.listening) await stop();
    },
    up: async () => {
      mode = 'up';
      if (server.listening) return;
      server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
