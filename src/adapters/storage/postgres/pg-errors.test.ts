import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import { describeTarget, explainPgError, isConnectionError, maskUrl } from './pg-errors.ts';

const withCode = (code: string, message = `failed with ${code}`) => Object.assign(new Error(message), { code });
const target = describeTarget('postgres://vigil:s3cret@db.local:5432/vigil');

describe('maskUrl', () => {
  it('hides the password, in the user part or as a parameter, and keeps the rest', () => {
    expect(maskUrl('postgres://vigil:s3cret@db:5432/vigil')).toBe('postgres://vigil:***@db:5432/vigil');
    expect(maskUrl('postgresql://vigil@db/vigil?password=s3cret&sslmode=require')).toBe('postgresql://vigil@db/vigil?password=***&sslmode=require');
    expect(maskUrl('postgres://db/vigil')).toBe('postgres://db/vigil');
  });

  it('never echoes what it cannot parse', () => {
    expect(maskUrl('host=db password=s3cret')).toBe('(an unreadable PostgreSQL URL)');
  });
});

describe('describeTarget', () => {
  it("falls back to PostgreSQL's defaults for user and database", () => {
    expect(describeTarget('postgres://db')).toEqual({ where: 'postgres://db', user: 'postgres', database: 'postgres', host: 'db' });
    expect(target).toEqual({ where: 'postgres://vigil:***@db.local:5432/vigil', user: 'vigil', database: 'vigil', host: 'db.local' });
  });
});

describe('explainPgError', () => {
  const explained = (error: unknown) => explainPgError(error, target) as VigilError;

  it('tells a refused password or a missing password without showing any', () => {
    for (const error of [withCode('28P01'), new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string')]) {
      expect(explained(error)).toMatchObject({ code: 'storage_failed', retryable: false });
      expect(explained(error).message).toMatch(/^PostgreSQL refused to let user "vigil" in at postgres:\/\/vigil:\*\*\*@db\.local:5432\/vigil/);
      expect(explained(error).message).not.toContain('s3cret');
    }
  });

  it('names a missing database, an unknown host, a refused or lost connection', () => {
    expect(explained(withCode('3D000')).message).toContain('There is no PostgreSQL database "vigil"');
    expect(explained(withCode('ENOTFOUND'))).toMatchObject({ retryable: false, message: expect.stringContaining('host "db.local" was not found') });
    expect(explained(withCode('ECONNREFUSED'))).toMatchObject({ retryable: true, message: expect.stringContaining('refused the connection') });
    expect(explained(new Error('Connection terminated unexpectedly'))).toMatchObject({ retryable: true, message: expect.stringContaining('was lost') });
    expect(explained(new Error('timeout exceeded when trying to connect'))).toMatchObject({ retryable: true, message: expect.stringContaining('did not answer in time') });
    expect(explained(withCode('57P01'))).toMatchObject({ retryable: true });
  });

  it('returns errors of the SQL itself, and VigilErrors, as they were', () => {
    const unique = withCode('23505');
    const statementTimeout = withCode('57014', 'canceling statement due to statement timeout');
    const vigil = new VigilError('busy', 'busy');
    expect(explainPgError(unique, target)).toBe(unique);
    expect(explainPgError(statementTimeout, target)).toBe(statementTimeout);
    expect(explainPgError(vigil, target)).toBe(vigil);
    expect(isConnectionError(unique)).toBe(false);
    expect(isConnectionError(withCode('08006'))).toBe(true);
  });
});
