import { describe, expect, it } from 'vitest';
import { maskSecrets, maskString } from './mask-secrets.ts';

describe('maskString', () => {
  it('hides the password of a URL but keeps the user and host', () => {
    expect(maskString('rtsp://user:pass@10.0.0.5:554/stream', [])).toBe('rtsp://user:***@10.0.0.5:554/stream');
    expect(maskString('https://user:p@ss@host/a', [])).toBe('https://user:***@host/a');
  });

  it('leaves URLs without a password alone', () => {
    expect(maskString('rtsp://10.0.0.5:554/stream', [])).toBe('rtsp://10.0.0.5:554/stream');
    expect(maskString('http://host:8080/a@b', [])).toBe('http://host:8080/a@b');
    expect(maskString('rtsp://user@host/s', [])).toBe('rtsp://user@host/s');
  });

  it('hides every occurrence of every secret, longest first', () => {
    expect(maskString('/clips/tok123/tok123.mp4', ['tok', 'tok123'])).toBe('/clips/***/***.mp4');
    expect(maskString('plain', [''])).toBe('plain');
  });
});

describe('maskSecrets', () => {
  it('masks values of secret-named keys, secrets inside strings, and URL passwords, without mutating', () => {
    const value = {
      mqtt: { password: 'pw', api_key: 'k', apikey: 7, auth_token: 't', client_secret: 's', user: 'bob' },
      cameras: { a: { input: 'rtsp://u:envpw@h/s', name: 'cam envpw' }, b: { input: 'rtsp://admin:inline@h' } },
      list: ['x-envpw-y', 3],
    };
    expect(maskSecrets(value, ['envpw'])).toEqual({
      mqtt: { password: '***', api_key: '***', apikey: '***', auth_token: '***', client_secret: '***', user: 'bob' },
      cameras: { a: { input: 'rtsp://u:***@h/s', name: 'cam ***' }, b: { input: 'rtsp://admin:***@h' } },
      list: ['x-***-y', 3],
    });
    expect(value.mqtt.password).toBe('pw');
  });
});
