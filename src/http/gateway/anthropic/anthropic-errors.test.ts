import { describe, expect, it } from 'vitest';
import { VigilError, type ErrorCode } from '../../../domain/errors.ts';
import { anthropicError } from './anthropic-errors.ts';

describe('anthropicError', () => {
  it.each<[ErrorCode, number, string]>([
    ['invalid_argument', 400, 'invalid_request_error'],
    ['unauthorized', 401, 'authentication_error'],
    ['forbidden', 403, 'permission_error'],
    ['not_found', 404, 'not_found_error'],
    ['too_large', 413, 'request_too_large'],
    ['rate_limited', 429, 'rate_limit_error'],
    ['provider_rate_limited', 429, 'rate_limit_error'],
    ['internal', 500, 'api_error'],
    ['provider_unavailable', 502, 'api_error'],
    ['provider_timeout', 504, 'timeout_error'],
    ['queue_full', 529, 'overloaded_error'],
    ['circuit_open', 529, 'overloaded_error'],
  ])('%s is %i %s', (code, status, type) => {
    const answer = anthropicError(new VigilError(code, 'something'));
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ type: 'error', error: { type, message: 'something' } });
  });

  it('says when to come back: retry-after in whole seconds, rounded up, and retry-after-ms', () => {
    expect(anthropicError(new VigilError('rate_limited', 'slow down', { retryAfterMs: 1_200 })).headers).toEqual({ 'retry-after': '2', 'retry-after-ms': '1200' });
    expect(anthropicError(new VigilError('queue_full', 'busy', { retryAfterMs: 10 })).headers).toEqual({ 'retry-after': '1', 'retry-after-ms': '10' });
    expect(anthropicError(new VigilError('invalid_argument', 'no', { retryAfterMs: 1_000 })).headers).toEqual({});
  });

  it('carries the request id in the body and the request-id header', () => {
    const answer = anthropicError(new VigilError('not_found', 'no such model'), 'req_abc');
    expect(answer.body.request_id).toBe('req_abc');
    expect(answer.headers['request-id']).toBe('req_abc');
  });

  it('tells the SDKs not to retry what no retry can fix, and leaves the rest to their defaults', () => {
    expect(anthropicError(new VigilError('provider_auth', 'backend key rejected')).headers['x-should-retry']).toBe('false');
    expect(anthropicError(new VigilError('provider_failed', 'boom')).headers).not.toHaveProperty('x-should-retry');
  });

  it('appends further details, redacts URL credentials and caps the message', () => {
    const many = new VigilError('invalid_argument', 'a: bad', { details: ['a: bad', 'b: bad'] });
    expect(anthropicError(many).body.error.message).toBe('a: bad (also: b: bad)');
    const secret = new VigilError('provider_unavailable', 'cannot reach http://user:hunter2@llm.local:8080/v1');
    expect(anthropicError(secret).body.error.message).not.toContain('hunter2');
    expect(anthropicError(new VigilError('internal', 'x'.repeat(5_000))).body.error.message.length).toBeLessThanOrEqual(501);
  });
});

describe('a refusal with a wait longer than the SDKs honour', () => {
  it('says not to retry (a key out of tokens for the day), while a short wait may be retried', () => {
    expect(anthropicError(new VigilError('rate_limited', 'tokens for today used', { retryable: true, retryAfterMs: 3 * 3_600_000 })).headers).toMatchObject({ 'retry-after': '10800', 'x-should-retry': 'false' });
    expect(anthropicError(new VigilError('rate_limited', '60 per minute', { retryable: true, retryAfterMs: 20_000 })).headers['x-should-retry']).toBeUndefined();
  });
});
