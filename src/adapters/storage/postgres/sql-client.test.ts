import { describe, expect, it } from 'vitest';
import { beginStatement, isRetryableTransactionError, parseSafeInteger, withTransactionRetries } from './sql-client.ts';

const pgError = (code: string) => Object.assign(new Error(`failed with ${code}`), { code });

describe('parseSafeInteger', () => {
  it('reads int8 text as a number while it is exact', () => {
    expect(parseSafeInteger('0')).toBe(0);
    expect(parseSafeInteger('-42')).toBe(-42);
    expect(parseSafeInteger('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseSafeInteger('-9007199254740991')).toBe(Number.MIN_SAFE_INTEGER);
  });

  it('throws for a value it could only round', () => {
    expect(() => parseSafeInteger('9007199254740992')).toThrow(RangeError);
    expect(() => parseSafeInteger('-9223372036854775808')).toThrow(/-9223372036854775808, beyond what Vigil reads exactly/);
  });
});

describe('withTransactionRetries', () => {
  it('runs again after serialization failures and deadlocks, up to the retries asked for', async () => {
    const failures = [pgError('40001'), pgError('40P01')];
    let attempts = 0;
    const result = await withTransactionRetries(async () => {
      attempts++;
      const next = failures.shift();
      if (next) throw next;
      return 'done';
    }, 2);
    expect({ result, attempts }).toEqual({ result: 'done', attempts: 3 });
  });

  it('gives up after the last retry with the database error', async () => {
    const error = pgError('40001');
    let attempts = 0;
    await expect(
      withTransactionRetries(async () => {
        attempts++;
        throw error;
      }, 2),
    ).rejects.toBe(error);
    expect(attempts).toBe(3);
  });

  it('never runs again after any other error', async () => {
    let attempts = 0;
    await expect(
      withTransactionRetries(async () => {
        attempts++;
        throw pgError('23505');
      }, 5),
    ).rejects.toMatchObject({ code: '23505' });
    expect(attempts).toBe(1);
    expect(isRetryableTransactionError(new Error('no code'))).toBe(false);
  });
});

describe('beginStatement', () => {
  it('names the isolation level only when one is asked for', () => {
    expect(beginStatement(undefined)).toBe('BEGIN');
    expect(beginStatement('serializable')).toBe('BEGIN ISOLATION LEVEL SERIALIZABLE');
  });
});
