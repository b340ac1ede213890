import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfigText } from './parse-config.ts';
import { renderConfig } from './render-config.ts';

describe('renderConfig', () => {
  const text = `
cameras:
  back:
    input: "rtsp://viewer:{FRIGATE_RTSP_PASSWORD}@10.0.0.5/{VIGIL_PATH}"
    labels: [person]
    zones:
      door: { points: [[0, 0], [10, 0], [10, 10]] }
  side:
    input: "rtsp://admin:written-in-file@10.0.0.6/s"
    labels: [car]
`;
  const parsed = parseConfigText(text, {
    env: { FRIGATE_RTSP_PASSWORD: 'hunter2', VIGIL_PATH: 'private-path' },
    baseDir: '/base',
    fileLabel: '/base/vigil.yml',
  });
  const rendered = renderConfig({ ...parsed, file: '/base/vigil.yml', baseDir: '/base' });

  it('never shows a substituted or URL password', () => {
    expect(rendered).not.toContain('hunter2');
    expect(rendered).not.toContain('private-path');
    expect(rendered).not.toContain('written-in-file');
    expect(rendered).toContain('input: rtsp://viewer:***@10.0.0.5/***');
    expect(rendered).toContain('input: rtsp://admin:***@10.0.0.6/s');
  });

  it('is YAML of the effective config, with short lists on one line', () => {
    expect(rendered.startsWith('# Effective configuration from /base/vigil.yml')).toBe(true);
    expect(rendered).toContain('points: [[0, 0], [10, 0], [10, 10]]');
    const back: unknown = parseYaml(rendered);
    expect(back).toMatchObject({
      storage: { data_dir: '/base/vigil-data' },
      cameras: { back: { name: 'back', fps: 5, labels: ['person'] } },
    });
  });
});
