import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageAnalysis } from '../../ports/image-analysis-store.ts';
import type { Logger } from '../../ports/logger.ts';
import { signWebhook, WebhookAnnouncer } from './webhook-announcer.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };
const SECRET = 'a-webhook-secret-of-32-characters';
const analysis = { instance: 'porch', image_name: 'porch', description: 'A person.' } as unknown as ImageAnalysis;

/** A receiver that records its connections and answers each request as `handle` says. */
async function receiver(handle: (res: ServerResponse) => void) {
  const sockets = new Set<Socket>();
  let opened = 0;
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      handle(res);
    });
  });
  server.on('connection', (socket: Socket) => {
    opened++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    bodies,
    get opened() {
      return opened;
    },
    openNow: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function until(check: () => boolean, ms = 1000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return check();
}

describe('WebhookAnnouncer', () => {
  it('signs the body with the timestamp and delivers it', async () => {
    const hook = await receiver((res) => res.writeHead(204).end());
    closers.push(hook.close);
    const announcer = new WebhookAnnouncer([{ url: hook.url, secret: SECRET }], { logger: silent, now: () => 1_765_000_000_000 });
    expect(await announcer.deliver({ url: hook.url, secret: SECRET }, 'image_analyzed', analysis)).toBe(true);
    expect(hook.bodies).toEqual([JSON.stringify({ event: 'image_analyzed', data: analysis })]);
    expect(signWebhook(SECRET, '1765000000', hook.bodies[0]!)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it.each([
    ['never answers', () => undefined],
    ['sends a 503 and never finishes the body', (res: ServerResponse) => res.writeHead(503, { 'content-type': 'text/plain' }).write('overloa')],
  ])('closes every connection once it gives up on a receiver that %s', async (_what, handle) => {
    const hook = await receiver(handle);
    closers.push(hook.close);
    const announcer = new WebhookAnnouncer([{ url: hook.url, secret: SECRET }], { logger: silent, timeoutMs: 100, attempts: 2, sleep: async () => undefined });
    expect(await announcer.deliver({ url: hook.url, secret: SECRET }, 'image_analyzed', analysis)).toBe(false);
    expect(hook.bodies).toHaveLength(2);
    // The receiver would hold them for ever: only our side can close them.
    expect(await until(() => hook.openNow() === 0)).toBe(true);
  });
});
