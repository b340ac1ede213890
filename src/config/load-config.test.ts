import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../domain/errors.ts';
import { loadConfig } from './load-config.ts';

describe('loadConfig', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'vigil-config-'));
    await mkdir(path.join(root, 'site'));
    await mkdir(path.join(root, 'elsewhere'));
    await writeFile(
      path.join(root, 'site', 'vigil.yml'),
      'detector: { type: onnx, model: models/y.onnx, labels: labels.txt }\ncameras:\n  back: { input: clips/a.mp4 }\n  cam: { input: "rtsp://u:{VIGIL_PW}@h/s" }\nstorage: { data_dir: data }\n',
    );
    await writeFile(path.join(root, 'bad.yml'), 'cameras:\n  back: { input: a.mp4, fps: 0 }\n');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('resolves relative paths against the config file folder, not the cwd', async () => {
    const loaded = await loadConfig({ file: '../site/vigil.yml', explicit: true, env: { VIGIL_PW: 'pw' }, cwd: path.join(root, 'elsewhere') });
    const site = path.join(root, 'site');
    expect(loaded.file).toBe(path.join(site, 'vigil.yml'));
    expect(loaded.baseDir).toBe(site);
    expect(loaded.config.storage.data_dir).toBe(path.join(site, 'data'));
    expect(loaded.config.detector.model).toBe(path.join(site, 'models', 'y.onnx'));
    expect(loaded.config.detector.labels).toBe(path.join(site, 'labels.txt'));
    expect(loaded.config.cameras['back']?.input).toBe(path.join(site, 'clips', 'a.mp4'));
    expect(loaded.config.cameras['cam']?.input).toBe('rtsp://u:pw@h/s');
    expect(loaded.secrets).toEqual(['pw']);
  });

  it('reads vigil.yml from the cwd by default', async () => {
    const loaded = await loadConfig({ explicit: false, env: { VIGIL_PW: 'pw' }, cwd: path.join(root, 'site') });
    expect(loaded.file).toBe(path.join(root, 'site', 'vigil.yml'));
    expect(Object.keys(loaded.config.cameras)).toEqual(['back', 'cam']);
  });

  it('falls back to built-in defaults when the default file is missing', async () => {
    const cwd = path.join(root, 'elsewhere');
    const loaded = await loadConfig({ explicit: false, env: {}, cwd });
    expect(loaded.file).toBeUndefined();
    expect(loaded.baseDir).toBe(cwd);
    expect(loaded.config.cameras).toEqual({});
    expect(loaded.config.storage.data_dir).toBe(path.join(cwd, 'vigil-data'));
  });

  it('fails when a file named explicitly is missing', async () => {
    const missing = path.join(root, 'nope.yml');
    await expect(loadConfig({ file: 'nope.yml', explicit: true, env: {}, cwd: root })).rejects.toMatchObject({
      code: 'config_not_found',
      message: `Config file not found: ${missing}`,
    });
  });

  it('names the file in validation errors', async () => {
    const error: unknown = await loadConfig({ file: 'bad.yml', explicit: true, env: {}, cwd: root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VigilError);
    expect(error).toMatchObject({
      code: 'config_invalid',
      message: `Invalid configuration in ${path.join(root, 'bad.yml')}`,
      details: ['cameras.back.fps: expected a number greater than 0'],
    });
  });

  it('reports a missing environment variable', async () => {
    await expect(loadConfig({ explicit: true, env: {}, cwd: path.join(root, 'site') })).rejects.toMatchObject({
      code: 'env_missing',
      details: ['cameras.cam.input: environment variable VIGIL_PW is not set'],
    });
  });
});
