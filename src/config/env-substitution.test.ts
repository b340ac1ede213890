import { describe, expect, it } from 'vitest';
import { substituteEnv } from './env-substitution.ts';

describe('substituteEnv', () => {
  it('replaces VIGIL_ and FRIGATE_ placeholders in nested strings and leaves other braces alone', () => {
    const tree = {
      cameras: { back: { input: 'rtsp://{VIGIL_USER}:{FRIGATE_RTSP_PASSWORD}@h/{channel}', labels: ['{VIGIL_LABEL}', 3] } },
      other: '{vigil_lower} {HOME} {VIGIL_}',
    };
    const result = substituteEnv(tree, { VIGIL_USER: 'admin', FRIGATE_RTSP_PASSWORD: 's3cret', VIGIL_LABEL: 'person', HOME: '/root' });
    expect(result.value).toEqual({
      cameras: { back: { input: 'rtsp://admin:s3cret@h/{channel}', labels: ['person', 3] } },
      other: '{vigil_lower} {HOME} {VIGIL_}',
    });
    expect(result.secrets).toEqual(['admin', 's3cret', 'person']);
    expect(result.missing).toEqual([]);
  });

  it('does not touch map keys or the input tree', () => {
    const tree = { '{VIGIL_KEY}': 'x' };
    expect(substituteEnv(tree, { VIGIL_KEY: 'k' }).value).toEqual({ '{VIGIL_KEY}': 'x' });
    expect(tree).toEqual({ '{VIGIL_KEY}': 'x' });
  });

  it('reports every missing variable with the path that uses it', () => {
    const result = substituteEnv(
      { cameras: { back: { input: 'rtsp://u:{VIGIL_RTSP_PASSWORD}@h' }, side: { zones: { z: { labels: ['{FRIGATE_LABEL}'] } } } } },
      { VIGIL_OTHER: 'x' },
    );
    expect(result.missing).toEqual([
      'cameras.back.input: environment variable VIGIL_RTSP_PASSWORD is not set',
      'cameras.side.zones.z.labels[0]: environment variable FRIGATE_LABEL is not set',
    ]);
  });

  it('substitutes an empty value without treating it as a secret', () => {
    const result = substituteEnv({ name: 'a{VIGIL_EMPTY}b' }, { VIGIL_EMPTY: '' });
    expect(result.value).toEqual({ name: 'ab' });
    expect(result.secrets).toEqual([]);
  });
});
