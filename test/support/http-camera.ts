import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../../src/adapters/ffmpeg/ffmpeg-binaries.ts';

/**
 * An HTTP camera as IP cameras and NVRs serve one, made from a clip with real ffmpeg:
 * - `/video.mjpg`: MJPEG as multipart/x-mixed-replace, one JPEG per part at the clip's pace,
 *   looping (the container carries no timestamps, like most cheap cameras);
 * - `/live/index.m3u8`: live HLS, a sliding window of three 2 s MPEG-TS segments that moves
 *   with the clock (no #EXT-X-ENDLIST), looping with a discontinuity.
 */
export interface HttpCamera {
  url: string;
  close(): Promise<void>;
}

const SEGMENT_SECONDS = 2;
const WINDOW = 3;

function prepare(clip: string, fps: number): { dir: string; jpegs: Buffer[]; segments: number } {
  const { ffmpeg } = locateFfmpeg();
  const dir = join(tmpdir(), 'vigil-test-media', `http-camera-${clip.replace(/\W+/g, '_')}-${fps}`);
  if (!existsSync(join(dir, 'done'))) {
    const work = `${dir}.${process.pid}.tmp`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'jpeg'), { recursive: true });
    execFileSync(ffmpeg, ['-v', 'error', '-i', clip, '-vf', `fps=${fps}`, '-q:v', '6', join(work, 'jpeg', '%05d.jpg')]);
    execFileSync(ffmpeg, [
      '-v', 'error', '-i', clip, '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
      '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
      '-f', 'segment', '-segment_time', String(SEGMENT_SECONDS), '-segment_format', 'mpegts', join(work, 'seg%03d.ts'),
    ]);
    execFileSync('touch', [join(work, 'done')]);
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  }
  const jpegs = readdirSync(join(dir, 'jpeg')).sort().map((f) => readFileSync(join(dir, 'jpeg', f)));
  const segments = readdirSync(dir).filter((f) => f.endsWith('.ts')).length;
  return { dir, jpegs, segments };
}

/** The live playlist at `elapsedMs` after the camera started. */
function livePlaylist(elapsedMs: number, segments: number): string {
  const first = Math.floor(elapsedMs / 1000 / SEGMENT_SECONDS);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${SEGMENT_SECONDS}`, `#EXT-X-MEDIA-SEQUENCE:${first}`];
  for (let sequence = first; sequence < first + WINDOW; sequence++) {
    if (sequence > 0 && sequence % segments === 0) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXTINF:${SEGMENT_SECONDS.toFixed(3)},`, `${sequence}.ts`);
  }
  return `${lines.join('\n')}\n`;
}

export async function startHttpCamera(clip: string, fps = 5): Promise<HttpCamera> {
  const { dir, jpegs, segments } = prepare(clip, fps);
  // The live window starts one window in, so a reader has segments from the first request.
  const startedAt = Date.now() - WINDOW * SEGMENT_SECONDS * 1000;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://camera').pathname;
    if (path === '/video.mjpg') {
      res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=frame', 'Cache-Control': 'no-cache' });
      let next = 0;
      const send = () => {
        const jpeg = jpegs[next++ % jpegs.length] as Buffer;
        res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
        res.write(jpeg);
        res.write('\r\n');
      };
      send();
      const timer = setInterval(send, 1000 / fps);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (path === '/live/index.m3u8') {
      res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Cache-Control': 'no-cache' });
      res.end(livePlaylist(Date.now() - startedAt, segments));
      return;
    }
    const segment = /^\/live\/(\d+)\.ts$/.exec(path);
    if (segment?.[1]) {
      const file = join(dir, `seg${String(Number(segment[1]) % segments).padStart(3, '0')}.ts`);
      res.writeHead(200, { 'Content-Type': 'video/mp2t' });
      res.end(readFileSync(file));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
