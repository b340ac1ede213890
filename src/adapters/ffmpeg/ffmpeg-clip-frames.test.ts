import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { locateFfmpeg } from './ffmpeg-binaries.ts';
import { clipFrameTimes, FfmpegClipFrames } from './ffmpeg-clip-frames.ts';
import { sampleExcerpt } from '../../../test/support/media.ts';

describe('clipFrameTimes', () => {
  it('spreads the frames evenly inside the clip', () => {
    expect(clipFrameTimes(30, 2)).toEqual([10, 20]);
    expect(clipFrameTimes(8, 3)).toEqual([2, 4, 6]);
    expect(clipFrameTimes(8, 0)).toEqual([]);
  });
});

describe('FfmpegClipFrames', () => {
  const extractor = new FfmpegClipFrames(locateFfmpeg());

  it('takes JPEG frames from an MP4 held in memory', async () => {
    const clip = readFileSync(sampleExcerpt('street', 10, 6));
    const frames = await extractor.extract(clip, 2);
    expect(frames).toHaveLength(2);
    for (const frame of frames) expect([...frame.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(Buffer.compare(Buffer.from(frames[0]!), Buffer.from(frames[1]!))).not.toBe(0);
  });

  it('fails clearly on bytes that are not a video', async () => {
    await expect(extractor.extract(new TextEncoder().encode('<html>not found</html>'), 2)).rejects.toThrow(/clip|read|video/i);
  });
});
