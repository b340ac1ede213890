import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { VigilError } from '../domain/errors.ts';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Token check for `/api/*` when Vigil listens beyond localhost. The token may come as a Bearer
 * header, or as `?token=` so that `<img>` tags can load media. Health stays open for monitors.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === '/api/health') return next();
    const header = c.req.header('authorization');
    const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : c.req.query('token');
    if (!given || !sameToken(given, token)) {
      throw new VigilError('unauthorized', 'a valid token is required (Authorization: Bearer <token>)');
    }
    return next();
  };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
