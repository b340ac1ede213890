import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFrigate, FIXTURE_JPEG, type FakeFrigate } from '../../../test/support/fake-frigate.ts';
import { startFakeLlmServer, unusedLocalUrl, type FakeLlmServer } from '../../../test/support/fake-llm-server.ts';
import { FrigateHttpApi } from './frigate-http-api.ts';

let frigate: FakeFrigate;
let raw: FakeLlmServer;
beforeAll(async () => {
  [frigate, raw] = await Promise.all([startFakeFrigate({ auth: { user: 'admin', password: 'pw-123456' } }), startFakeLlmServer()]);
  frigate.addEvent('1.5-abc');
});
afterAll(async () => {
  await Promise.all([frigate.close(), raw.close()]);
});

const api = (over: Partial<ConstructorParameters<typeof FrigateHttpApi>[0]> = {}) =>
  new FrigateHttpApi({ baseUrl: frigate.url, user: 'admin', password: 'pw-123456', timeoutMs: 2000, maxBytes: 1024 * 1024, ...over });

describe('FrigateHttpApi', () => {
  it('logs in once, sends the token as Bearer, and reads snapshots; unknown events are undefined', async () => {
    const client = api();
    const image = await client.snapshot('1.5-abc');
    expect(image?.mimeType).toBe('image/jpeg');
    expect(Buffer.from(image!.data).equals(FIXTURE_JPEG)).toBe(true);
    expect(await client.thumbnail('nope')).toBeUndefined();
    expect(frigate.requests.filter((r) => r.path === '/api/login')).toHaveLength(1);
  });

  it('writes descriptions back, and says false for an event Frigate does not have', async () => {
    const client = api();
    expect(await client.setDescription('1.5-abc', 'A courier.')).toBe(true);
    expect(frigate.descriptions.at(-1)).toEqual({ id: '1.5-abc', description: 'A courier.' });
    expect(await client.setDescription('gone', 'x')).toBe(false);
  });

  it('treats a refused login, a 503 and a closed port as retryable outages, never showing the password', async () => {
    await expect(api({ password: 'wrong-pass' }).snapshot('1.5-abc')).rejects.toMatchObject({ code: 'input_unreachable', retryable: true });
    await frigate.down('503');
    await expect(api().snapshot('1.5-abc')).rejects.toMatchObject({ code: 'input_unreachable', retryable: true });
    await frigate.up();
    const closed = new FrigateHttpApi({ baseUrl: (await unusedLocalUrl()).replace('http://', 'http://admin:pw-123456@'), timeoutMs: 2000, maxBytes: 1000 });
    const error = (await closed.snapshot('1.5-abc').then(
      () => new Error('expected a failure'),
      (e: unknown) => e as Error,
    ));
    expect(error).toMatchObject({ code: 'input_unreachable', retryable: true });
    expect(error.message).not.toContain('pw-123456');
  });

  it('bounds size and time, and refuses what is not an image', async () => {
    const open = (over: Partial<ConstructorParameters<typeof FrigateHttpApi>[0]> = {}) => new FrigateHttpApi({ baseUrl: raw.url, timeoutMs: 300, maxBytes: 100, ...over });
    raw.reply({ body: 'x'.repeat(500), headers: { 'content-type': 'image/jpeg' } });
    await expect(open().snapshot('a')).rejects.toMatchObject({ code: 'fetch_failed', retryable: false });
    raw.reply({ body: '<html>login</html>' });
    await expect(open().snapshot('a')).rejects.toMatchObject({ code: 'fetch_failed' });
    raw.reply({ body: 'late', delayMs: 2000 });
    await expect(open().snapshot('a')).rejects.toMatchObject({ code: 'input_unreachable', retryable: true });
  });
});
