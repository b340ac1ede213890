import { describe, expect, it } from 'vitest';
import { VigilError } from '../../domain/errors.ts';
import { isStreamUri, networkInputArgs, parseProbeOutput } from './ffprobe.ts';

function thrownBy(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw new Error(`expected a VigilError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a throw');
}

/** A video stream as `ffprobe -print_format json -show_streams` writes it (trimmed a little). */
function videoStream(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    index: 0,
    codec_name: 'h264',
    codec_long_name: 'H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10',
    profile: 'High',
    codec_type: 'video',
    codec_tag_string: 'avc1',
    width: 768,
    height: 576,
    coded_width: 768,
    coded_height: 576,
    has_b_frames: 2,
    pix_fmt: 'yuv420p',
    level: 31,
    r_frame_rate: '10/1',
    avg_frame_rate: '10/1',
    time_base: '1/10240',
    start_pts: 0,
    start_time: '0.000000',
    duration_ts: 814080,
    duration: '79.500000',
    bit_rate: '571139',
    nb_frames: '795',
    disposition: { default: 1, attached_pic: 0 },
    tags: { language: 'und', handler_name: 'VideoHandler' },
    ...overrides,
  };
}

const audioStream = {
  index: 1,
  codec_name: 'aac',
  codec_type: 'audio',
  sample_fmt: 'fltp',
  sample_rate: '44100',
  channels: 1,
  channel_layout: 'mono',
  r_frame_rate: '0/0',
  avg_frame_rate: '0/0',
  time_base: '1/44100',
  duration: '1.000000',
};

const format = {
  filename: 'vtest-street.mp4',
  nb_streams: 1,
  format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
  format_long_name: 'QuickTime / MOV',
  start_time: '0.000000',
  duration: '79.500000',
  size: '5685508',
  bit_rate: '572126',
  probe_score: 100,
};

const probeJson = (streams: unknown[], fmt: unknown = format): string => JSON.stringify({ streams, format: fmt }, null, 4);

describe('parseProbeOutput', () => {
  it('reads codec, size, fps and duration from a typical MP4', () => {
    expect(parseProbeOutput(probeJson([videoStream()]), 'vtest-street.mp4')).toEqual({
      codec: 'h264',
      width: 768,
      height: 576,
      fps: 10,
      durationSeconds: 79.5,
      declaredFrames: 795,
    });
  });

  it("keeps the header's frame count of a cut AVI, whose duration is only what is left", () => {
    const cut = videoStream({ codec_name: 'msmpeg4v3', duration: '29.400000', nb_frames: '795' });
    expect(parseProbeOutput(probeJson([cut], { ...format, duration: '29.400000' }), 'cut.avi')).toMatchObject({ durationSeconds: 29.4, declaredFrames: 795 });
  });

  it('marks MJPEG over HTTP as timed by arrival (the multipart container has no timestamps)', () => {
    const mjpeg = videoStream({ codec_name: 'mjpeg', avg_frame_rate: '0/0', r_frame_rate: '25/1' });
    const result = parseProbeOutput(probeJson([mjpeg], { format_name: 'mpjpeg' }), 'http://cam/video.mjpg');
    expect(result).toMatchObject({ codec: 'mjpeg', fps: 25, timedByArrival: true });
    expect(parseProbeOutput(probeJson([videoStream()]), 'x.mp4').timedByArrival).toBeUndefined();
    expect(parseProbeOutput(probeJson([mjpeg], { format_name: 'mov,mp4,m4a,3gp,3g2,mj2' }), 'x.mov').timedByArrival).toBeUndefined();
  });

  it('picks the video stream when an audio stream comes first', () => {
    const result = parseProbeOutput(probeJson([audioStream, videoStream({ index: 1, width: 1280, height: 720 })]), 'a.mp4');
    expect(result).toMatchObject({ codec: 'h264', width: 1280, height: 720, fps: 10 });
  });

  it('falls back to r_frame_rate when avg_frame_rate is 0/0 (30000/1001)', () => {
    const result = parseProbeOutput(
      probeJson([videoStream({ avg_frame_rate: '0/0', r_frame_rate: '30000/1001' })]),
      'rtsp://cam/live',
    );
    expect(result.fps).toBeCloseTo(29.97002997, 6);
    expect(result.fps).toBe(30000 / 1001);
  });

  it('falls back to r_frame_rate when avg_frame_rate is missing', () => {
    const stream = videoStream({ r_frame_rate: '25/1' });
    delete stream.avg_frame_rate;
    expect(parseProbeOutput(probeJson([stream]), 'x.mkv').fps).toBe(25);
  });

  it('reads a fractional average rate', () => {
    expect(parseProbeOutput(probeJson([videoStream({ avg_frame_rate: '15000/1001' })]), 'x.mp4').fps).toBe(15000 / 1001);
  });

  it('fails with input_unreadable when no frame rate is usable', () => {
    const error = thrownBy(() =>
      parseProbeOutput(probeJson([videoStream({ avg_frame_rate: '0/0', r_frame_rate: '90000/1' })]), 'cover.mp4'),
    );
    expect(error.code).toBe('input_unreadable');
    expect(error.message).toBe('cover.mp4 has no usable frame rate');
  });

  it('widens the display size by a 4:3 sample aspect ratio', () => {
    const result = parseProbeOutput(
      probeJson([videoStream({ width: 720, height: 480, sample_aspect_ratio: '4:3', display_aspect_ratio: '2:1' })]),
      'dv.mkv',
    );
    expect(result.width).toBe(960);
    expect(result.height).toBe(480);
  });

  it('rounds the display width for a non-integer result (PAL 16:15)', () => {
    expect(parseProbeOutput(probeJson([videoStream({ width: 704, sample_aspect_ratio: '16:15' })]), 'x.mp4').width).toBe(751);
  });

  it.each([['1:1'], ['0:1'], ['N/A']])('keeps the coded width for sample aspect ratio %s', (sar) => {
    expect(parseProbeOutput(probeJson([videoStream({ width: 1280, height: 720, sample_aspect_ratio: sar })]), 'x.mp4').width).toBe(1280);
  });

  it('uses the format duration when the stream has none, and numbers as well as strings', () => {
    const stream = videoStream();
    delete stream.duration;
    expect(parseProbeOutput(probeJson([stream], { ...format, duration: '12.250000' }), 'x.mkv').durationSeconds).toBe(12.25);
    expect(parseProbeOutput(probeJson([stream], { ...format, duration: 42 }), 'x.mkv').durationSeconds).toBe(42);
  });

  it('prefers the stream duration over the format duration', () => {
    const result = parseProbeOutput(probeJson([videoStream({ duration: '10.000000' })], { ...format, duration: '11.000000' }), 'x.mp4');
    expect(result.durationSeconds).toBe(10);
  });

  it('leaves the duration out for a live stream (N/A or missing)', () => {
    const stream = videoStream({ duration: 'N/A' });
    const { duration: _omit, ...liveFormat } = format;
    const result = parseProbeOutput(probeJson([stream], { ...liveFormat, format_name: 'rtsp' }), 'rtsp://cam/live');
    expect(result).toEqual({ codec: 'h264', width: 768, height: 576, fps: 10 });
    expect('durationSeconds' in result).toBe(false);
  });

  it('leaves out a zero duration', () => {
    const result = parseProbeOutput(probeJson([videoStream({ duration: '0.000000' })], { ...format, duration: '0.000000' }), 'x.mp4');
    expect(result.durationSeconds).toBeUndefined();
  });

  it('says "unknown" when the codec name is missing', () => {
    const stream = videoStream();
    delete stream.codec_name;
    expect(parseProbeOutput(probeJson([stream]), 'x.mp4').codec).toBe('unknown');
  });

  it('rejects an audio-only file with input_unreadable', () => {
    const error = thrownBy(() =>
      parseProbeOutput(probeJson([audioStream], { ...format, format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '1.000000' }), 'voice.m4a'),
    );
    expect(error.code).toBe('input_unreadable');
    expect(error.message).toBe('voice.m4a has no video stream');
    expect(error.retryable).toBe(false);
  });

  it('rejects the empty object ffprobe prints for a missing file', () => {
    expect(thrownBy(() => parseProbeOutput('{\n\n}\n', 'missing.mp4')).code).toBe('input_unreadable');
  });

  it('rejects a video stream without a size', () => {
    const stream = videoStream();
    delete stream.width;
    delete stream.height;
    expect(thrownBy(() => parseProbeOutput(probeJson([stream]), 'x.mp4')).code).toBe('input_unreadable');
  });

  it.each([[''], ['not json'], ['{"streams": ['], ['Input #0, mov,mp4 ...']])(
    'fails with decode_failed on non-JSON output %j',
    (text) => {
      const error = thrownBy(() => parseProbeOutput(text, 'x.mp4'));
      expect(error.code).toBe('decode_failed');
      expect(error.message).toBe('ffprobe returned unreadable output for x.mp4');
      expect(error.cause).toBeInstanceOf(SyntaxError);
    },
  );

  it('fails with decode_failed on JSON of the wrong shape', () => {
    expect(thrownBy(() => parseProbeOutput('{"streams": "none"}', 'x.mp4')).code).toBe('decode_failed');
    expect(thrownBy(() => parseProbeOutput('[]', 'x.mp4')).code).toBe('decode_failed');
    expect(thrownBy(() => parseProbeOutput('{"streams": [{"width": "wide"}]}', 'x.mp4')).code).toBe('decode_failed');
  });
});

describe('isStreamUri', () => {
  it.each([
    ['rtsp://cam/live'],
    ['rtsps://cam/live'],
    ['RTSP://CAM/LIVE'],
    ['rtmp://live.example.com/app'],
    ['rtmps://live.example.com/app'],
    ['http://nvr/x.m3u8'],
    ['https://nvr/x.mp4'],
    ['udp://239.0.0.1:1234'],
    ['tcp://10.0.0.5:9000'],
    ['srt://10.0.0.5:9000'],
  ])('treats %s as a stream', (uri) => {
    expect(isStreamUri(uri)).toBe(true);
  });

  it.each([['clip.mp4'], ['/recordings/rtsp://x.mp4'], ['file:///tmp/x.mp4'], ['C:\\clips\\x.mp4'], ['rtsp:/cam'], ['ftp://host/x.mp4']])(
    'treats %s as not a stream',
    (uri) => {
      expect(isStreamUri(uri)).toBe(false);
    },
  );
});

describe('networkInputArgs', () => {
  it('forces TCP and a 10 s socket timeout for RTSP', () => {
    expect(networkInputArgs('rtsp://admin:x@cam/live')).toEqual(['-rtsp_transport', 'tcp', '-timeout', '10000000']);
    expect(networkInputArgs('RTSPS://cam/live')).toEqual(['-rtsp_transport', 'tcp', '-timeout', '10000000']);
  });

  it('reads RTSP over UDP for a camera that only speaks UDP', () => {
    expect(networkInputArgs('rtsp://cam/live', 'udp')).toEqual(['-rtsp_transport', 'udp', '-timeout', '10000000']);
    expect(networkInputArgs('http://nvr/x.mjpg', 'udp')).toEqual(['-rw_timeout', '10000000']);
  });

  it('uses -stimeout for an ffmpeg before 5.0, where RTSP\'s -timeout means "listen"', () => {
    expect(networkInputArgs('rtsp://cam/live', 'tcp', true)).toEqual(['-rtsp_transport', 'tcp', '-stimeout', '10000000']);
    expect(networkInputArgs('http://nvr/x.m3u8', 'tcp', true)).toEqual(['-rw_timeout', '10000000']);
  });

  it('sets a 10 s read/write timeout for HTTP(S)', () => {
    expect(networkInputArgs('http://nvr/x.mp4')).toEqual(['-rw_timeout', '10000000']);
    expect(networkInputArgs('https://nvr/x.m3u8')).toEqual(['-rw_timeout', '10000000']);
  });

  it('adds nothing for files and other protocols', () => {
    expect(networkInputArgs('clip.mp4')).toEqual([]);
    expect(networkInputArgs('udp://239.0.0.1:1234')).toEqual([]);
    expect(networkInputArgs('/var/rtsp/clip.mp4')).toEqual([]);
  });
});
