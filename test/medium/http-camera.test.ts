import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateFfmpeg } from '../../src/adapters/ffmpeg/ffmpeg-binaries.ts';
import { startVigilServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { npmFfmpegMissing, pathWithoutSystemFfmpeg, systemFfmpegMissing } from '../support/ffmpeg-origins.ts';
import { startHttpCamera } from '../support/http-camera.ts';
import { cameraState, silentLogger, waitFor } from '../support/live.ts';
import { sampleExcerpt } from '../support/media.ts';
import { requireOrSkip } from '../support/requirements.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-http-camera-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Once with each ffmpeg Vigil may run. With npm's, PATH hides the system's while the server
 * starts (Vigil looks for ffmpeg when it first needs one). Its static ffprobe used to crash on
 * the MPEG-TS segments of HLS (see NPM_BINARY_ENV in src/adapters/ffmpeg/ffmpeg-binaries.ts).
 */
const ORIGINS = [
  { origin: 'system', skip: requireOrSkip('system-ffmpeg', 'the HTTP camera test with the system ffmpeg', systemFfmpegMissing()) },
  { origin: 'npm', skip: requireOrSkip('npm-ffmpeg', 'the HTTP camera test with the npm ffmpeg', npmFfmpegMissing()) },
] as const;

describe.each(ORIGINS)('cameras over HTTP with the $origin ffmpeg', ({ origin, skip }) => {
  let savedPath: string | undefined;
  beforeAll(() => {
    savedPath = process.env['PATH'];
    if (origin === 'npm') process.env['PATH'] = pathWithoutSystemFfmpeg();
  });
  afterAll(() => {
    process.env['PATH'] = savedPath;
  });

  it.skipIf(skip)('samples MJPEG by arrival time and follows a live HLS playlist', async () => {
    expect(locateFfmpeg().origin).toBe(origin);
    // The camera serves 5 JPEGs per second; Vigil is asked for 2.
    const camera = await startHttpCamera(sampleExcerpt('street', 10, 16), 5);
    const config = join(dir, 'vigil.yml');
    writeFileSync(
      config,
      `storage: { data_dir: ${JSON.stringify(join(dir, 'data'))} }
cameras:
  mjpeg:
    input: ${camera.url}/video.mjpg
    fps: 2
    labels: [person]
  hls:
    input: ${camera.url}/live/index.m3u8
    fps: 2
    labels: [person]
`,
    );
    const loaded = await loadConfig({ file: config, explicit: true, env: {}, cwd: dir });
    const vigil = await startVigilServer(loaded, { host: '127.0.0.1', port: 0, logger: silentLogger });
    try {
      const streaming = await Promise.all(
        ['mjpeg', 'hls'].map((id) => waitFor(() => cameraState(vigil, id), (c) => c.live.status === 'streaming' && c.live.frames_in >= 1, 60_000)),
      );
      // MJPEG carries no timestamps: read at ffmpeg's assumed 25/s, 2 of 25 would be kept of
      // the 5 that arrive each second (0.4/s). Timed by arrival, 2 of 5 are.
      const mjpegFrom = streaming[0]?.live.frames_in ?? 0;
      const hlsFrom = streaming[1]?.live.frames_in ?? 0;
      const startedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      const [mjpeg, hls] = await Promise.all([cameraState(vigil, 'mjpeg'), cameraState(vigil, 'hls')]);
      const seconds = (Date.now() - startedAt) / 1000;

      const mjpegRate = (mjpeg.live.frames_in - mjpegFrom) / seconds;
      expect(mjpegRate).toBeGreaterThan(1.5);
      expect(mjpegRate).toBeLessThan(2.5);
      expect(mjpeg.live.status).toBe('streaming');
      expect(mjpeg.live.frames_processed).toBeGreaterThan(0);

      // Live HLS is paced by the playlist: 2 s segments as they appear, not read all at once.
      const hlsRate = (hls.live.frames_in - hlsFrom) / seconds;
      expect(hls.live.status).toBe('streaming');
      expect(hls.live.reconnects).toBe(0);
      expect(hlsRate).toBeGreaterThan(1);
      expect(hlsRate).toBeLessThan(4);
      expect(Date.now() - Date.parse(hls.live.last_frame_at ?? '')).toBeLessThan(5_000);
    } finally {
      await vigil.close();
      await camera.close();
    }
  }, 120_000);
});
