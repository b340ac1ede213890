import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { errorBodySchema } from '../contract/api.schemas.ts';
import { VigilError, type ErrorCode } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';
import { errorResponse, HTTP_STATUS } from './http-error.ts';

function appThrowing(error: unknown, logged: unknown[] = []) {
  const logger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (obj) => logged.push(obj), child: () => logger };
  const app = new Hono();
  app.onError((e, c) => errorResponse(e, c, logger));
  app.get('/', () => {
    throw error;
  });
  return app;
}

describe('errorResponse', () => {
  it.each<[ErrorCode, number]>([
    ['decode_failed', 422],
    ['input_unreadable', 422],
    ['input_empty', 422],
    ['fetch_failed', 422],
    ['camera_unknown', 404],
    ['input_not_found', 404],
    ['not_found', 404],
    ['unauthorized', 401],
    ['invalid_argument', 400],
    ['queue_full', 429],
    ['provider_timeout', 504],
    ['storage_failed', 500],
  ])('answers %s with %i and the documented body', async (code, status) => {
    const response = await appThrowing(new VigilError(code, `it went ${code}`, { details: ['a detail'] })).request('/');
    expect(response.status).toBe(status);
    expect(errorBodySchema.parse(await response.json())).toEqual({ error: { code, message: `it went ${code}`, details: ['a detail'] } });
  });

  it('gives every code a status: 4xx the user can act on, 5xx ours or upstream', () => {
    for (const status of Object.values(HTTP_STATUS)) expect(status >= 400 && status < 600).toBe(true);
  });

  it('is the table docs/api.md shows', () => {
    const docs = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const documented: Record<string, number> = {};
    for (const [, status, codes] of docs.matchAll(/^\| (\d{3}) \| (.+) \|$/gm)) {
      for (const [, code] of codes!.matchAll(/`([a-z_]+)`/g)) documented[code!] = Number(status);
    }
    expect(documented).toEqual(HTTP_STATUS);
  });

  it('logs server-side failures, not the user’s', async () => {
    const logged: unknown[] = [];
    await appThrowing(new VigilError('decode_failed', 'bad video'), logged).request('/');
    expect(logged).toEqual([]);
    await appThrowing(new VigilError('storage_failed', 'disk full'), logged).request('/');
    expect(logged).toHaveLength(1);
  });

  it('hides unexpected errors behind `internal`, logged with their cause', async () => {
    const logged: Array<{ err?: unknown }> = [];
    const response = await appThrowing(new Error('secret path /etc/x'), logged).request('/');
    expect(response.status).toBe(500);
    const body = errorBodySchema.parse(await response.json());
    expect(body.error.code).toBe('internal');
    expect(body.error.message).not.toContain('secret');
    expect((logged[0]?.err as Error).message).toBe('secret path /etc/x');
  });

  it('answers Hono’s own exceptions through the same path', async () => {
    const response = await appThrowing(new HTTPException(400, { message: 'Malformed JSON in request body' })).request('/');
    expect(response.status).toBe(400);
    expect(errorBodySchema.parse(await response.json()).error).toMatchObject({ code: 'invalid_argument', message: 'Malformed JSON in request body' });
  });

  it('caps messages and details built elsewhere, so that none grows with the input', async () => {
    const long = `no event with id "${'x'.repeat(5000)}" (rtsp://admin:hunter2@cam/stream)`;
    const response = await appThrowing(new VigilError('not_found', long, { details: Array.from({ length: 50 }, () => long) })).request('/');
    const { error } = errorBodySchema.parse(await response.json());
    expect(error.message).toBe(`no event with id "${'x'.repeat(500 - 18)}…`);
    expect(error.details).toHaveLength(20);
    expect(error.details.every((d) => d.length <= 501)).toBe(true);
  });

  it('redacts credentials in messages and details, and says when to come back', async () => {
    const response = await appThrowing(
      new VigilError('queue_full', 'rtsp://admin:hunter2@cam/stream is busy', { details: ['http://u:p@host/x'], retryAfterMs: 1500 }),
    ).request('/');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    const text = await response.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('u:p@');
  });
});
