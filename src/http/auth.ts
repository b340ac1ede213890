import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { VigilError } from '../domain/errors.ts';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The only paths where the token may come in the query: `<img>` tags cannot send a header. */
const QUERY_TOKEN_PREFIX = '/api/media/';

/**
 * Token check for `/api/*` when Vigil listens beyond localhost. The token comes as a Bearer
 * header; only media URLs may carry it as `?token=`, so that `<img>` tags can load them. Anywhere
 * else a token in the URL would end up in access logs, browser history and Referer headers, so
 * it does not count there. Health stays open for monitors.
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === '/api/health') return next();
    const header = c.req.header('authorization');
    const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : c.req.path.startsWith(QUERY_TOKEN_PREFIX) ? c.req.query('token') : undefined;
    if (!given || !sameToken(given, token)) {
      const inQuery = !given && c.req.query('token') !== undefined;
      throw new VigilError('unauthorized', `a valid token is required (Authorization: Bearer <token>)${inQuery ? '; ?token= counts only for /api/media/' : ''}`);
    }
    return next();
  };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
