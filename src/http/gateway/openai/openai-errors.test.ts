import { describe, expect, it } from 'vitest';
import { VigilError, type ErrorCode } from '../../../domain/errors.ts';
import { openAiError } from './openai-errors.ts';

describe('openAiError', () => {
  it.each<[ErrorCode, number, string, string]>([
    ['invalid_argument', 400, 'invalid_request_error', 'invalid_argument'],
    ['provider_bad_request', 400, 'invalid_request_error', 'provider_bad_request'],
    ['unauthorized', 401, 'authentication_error', 'invalid_api_key'],
    ['forbidden', 403, 'permission_error', 'forbidden'],
    ['not_found', 404, 'not_found_error', 'not_found'],
    ['too_large', 413, 'invalid_request_error', 'too_large'],
    ['rate_limited', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    ['provider_rate_limited', 429, 'rate_limit_error', 'rate_limit_exceeded'],
    ['internal', 500, 'server_error', 'internal'],
    ['provider_failed', 502, 'server_error', 'provider_failed'],
    ['provider_unavailable', 503, 'server_error', 'provider_unavailable'],
    ['queue_full', 503, 'server_error', 'queue_full'],
    ['circuit_open', 503, 'server_error', 'circuit_open'],
    ['provider_timeout', 504, 'server_error', 'provider_timeout'],
  ])('%s is %i %s', (code, status, type, wireCode) => {
    const answer = openAiError(new VigilError(code, 'what happened'));
    expect(answer).toEqual({ status, body: { error: { message: 'what happened', type, param: null, code: wireCode } }, headers: {} });
  });

  it('says when to come back, in seconds and in ms', () => {
    expect(openAiError(new VigilError('rate_limited', 'slow down', { retryAfterMs: 1500 })).headers).toEqual({ 'retry-after': '2', 'retry-after-ms': '1500' });
    expect(openAiError(new VigilError('queue_full', 'busy', { retryAfterMs: 10 })).headers).toEqual({ 'retry-after': '1', 'retry-after-ms': '10' });
    // A 4xx that is the client's to fix has no time to wait.
    expect(openAiError(new VigilError('invalid_argument', 'bad', { retryAfterMs: 1000 })).headers).toEqual({});
  });

  it('hides unexpected errors, appends new details, redacts and caps the message', () => {
    expect(openAiError(new Error('db at /secret')).body.error).toMatchObject({ message: 'internal error (see the server log)', code: 'internal' });
    expect(openAiError(new VigilError('invalid_argument', 'a: bad', { details: ['a: bad', 'b: worse'] })).body.error.message).toBe('a: bad (b: worse)');
    expect(openAiError(new VigilError('provider_unavailable', 'cannot reach http://u:hunter2@host/')).body.error.message).toBe('cannot reach http://u:***@host/');
    expect(openAiError(new VigilError('invalid_argument', 'x'.repeat(2000))).body.error.message.length).toBeLessThanOrEqual(501);
  });
});
