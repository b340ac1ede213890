import { describe, expect, it } from 'vitest';
import type { VideoInfo } from '../../ports/video-input.ts';
import { fileShortfall } from './ffmpeg-video-input.ts';

const avi: VideoInfo = { uri: 'cut.avi', kind: 'file', fingerprint: 'f', codec: 'mpeg4', width: 768, height: 576, fps: 10, durationSeconds: 79.5 };

describe('fileShortfall', () => {
  it('reports a file that decodes to clearly fewer frames than declared, even when ffmpeg said nothing', () => {
    expect(fileShortfall(avi, 147, 5, '')).toEqual({ decodedSeconds: 29.4, declaredSeconds: 79.5 });
  });

  it("takes a cut AVI's length from its header's frame count (ffprobe's duration is what is left)", () => {
    const cut: VideoInfo = { ...avi, durationSeconds: 29.4, declaredFrames: 795 };
    expect(fileShortfall(cut, 147, 5, '')).toEqual({ decodedSeconds: 29.4, declaredSeconds: 79.5 });
    expect(fileShortfall({ ...avi, declaredFrames: 795 }, 397, 5, '')).toBeUndefined();
  });

  it("includes ffmpeg's last complaint, without memory addresses", () => {
    expect(fileShortfall(avi, 147, 5, '[mov,mp4 @ 0x55d0c0a8b2c0] stream 0, offset 0x3f1a2: partial file\n')).toEqual({
      decodedSeconds: 29.4,
      declaredSeconds: 79.5,
      decoderMessage: '[mov,mp4] stream 0, offset 0x3f1a2: partial file',
    });
  });

  it('accepts a file that decodes to about what it declares', () => {
    expect(fileShortfall(avi, 397, 5, '')).toBeUndefined();
    expect(fileShortfall(avi, 380, 5, '')).toBeUndefined();
  });

  it('reports a decoder failure after good frames whatever the count, and never a stream', () => {
    expect(fileShortfall(avi, 397, 5, 'Error while decoding stream #0:0', true)).toMatchObject({ decodedSeconds: 79.4, decoderMessage: 'Error while decoding stream #0:0' });
    expect(fileShortfall({ ...avi, kind: 'stream' }, 10, 5, '')).toBeUndefined();
  });
});
