import { describe, expect, it } from 'vitest';
import { VigilError } from '../../domain/errors.ts';
import { ffmpegFailure, stderrTail } from './ffmpeg-errors.ts';

// stderr samples below were captured from ffprobe/ffmpeg 6 runs (`-v error`), pointer values kept.
const NO_SUCH_FILE = '/nope/missing.mp4: No such file or directory\n';
const MOOV = '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x558c77c1d1c0] moov atom not found\nbad.mp4: Invalid data found when processing input\n';
const INVALID_DATA = 'notes.mp4: Invalid data found when processing input\n';
const RTSP_REFUSED =
  '[tcp @ 0x55c7a46b2140] Connection to tcp://127.0.0.1:8554?timeout=2000000 failed: Connection refused\n' +
  'rtsp://admin:s3cret@127.0.0.1:8554/live: Connection refused\n';
const HTTP_401 = 'http://admin:s3cret@127.0.0.1:8998/x.mp4: Server returned 401 Unauthorized (authorization failed)\n';
const RTSP_401 =
  '[rtsp @ 0x5581b0c0e9c0] method DESCRIBE failed: 401 Unauthorized\n' +
  'rtsp://admin:s3cret@192.168.1.20:554/stream1: Server returned 401 Unauthorized (authorization failed)\n';
const RTSP_404 =
  '[rtsp @ 0x5581b0c0e9c0] method DESCRIBE failed: 404 Not Found\n' +
  'rtsp://admin:s3cret@192.168.1.20:554/nope: Server returned 404 Not Found\n';
const DNS = '[tcp @ 0x55a1] Failed to resolve hostname cam.invalid: Name or service not known\nrtsp://cam.invalid/live: Input/output error\n';
const PERMISSION = '/srv/private.mp4: Permission denied\n';

const RTSP_INPUT = 'rtsp://admin:s3cret@127.0.0.1:8554/live';

describe('ffmpegFailure', () => {
  it('names rtsp_transport when a camera refuses the RTSP transport', () => {
    const stderr = '[rtsp @ 0x55862db85940] method SETUP failed: 461 Unsupported transport\nrtsp://cam/live: Protocol not supported\n';
    const error = ffmpegFailure(stderr, 'rtsp://cam/live', 'probe');
    expect(error.code).toBe('input_unreachable');
    expect(error.message).toBe(
      "rtsp://cam/live refused the RTSP transport (set the camera's rtsp_transport to udp, or tcp) " +
        '(ffmpeg: [rtsp] method SETUP failed: 461 Unsupported transport | rtsp://cam/live: Protocol not supported)',
    );
  });

  it('maps "No such file or directory" to input_not_found', () => {
    const error = ffmpegFailure(NO_SUCH_FILE, '/nope/missing.mp4', 'probe');
    expect(error).toBeInstanceOf(VigilError);
    expect(error.code).toBe('input_not_found');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('/nope/missing.mp4 does not exist (ffmpeg: /nope/missing.mp4: No such file or directory)');
  });

  it('maps a missing moov atom to input_unreadable with the truncated-file explanation', () => {
    const error = ffmpegFailure(MOOV, 'bad.mp4', 'probe');
    expect(error.code).toBe('input_unreadable');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'bad.mp4 is incomplete (no index: the file is truncated or still being written) ' +
        '(ffmpeg: [mov,mp4,m4a,3gp,3g2,mj2] moov atom not found | bad.mp4: Invalid data found when processing input)',
    );
  });

  it('maps "Invalid data found" to input_unreadable', () => {
    const error = ffmpegFailure(INVALID_DATA, 'notes.mp4', 'decode');
    expect(error.code).toBe('input_unreadable');
    expect(error.message).toMatch(/^notes\.mp4 is not a video that ffmpeg can read/);
  });

  it('maps "Connection refused" to a retryable input_unreachable', () => {
    const error = ffmpegFailure(RTSP_REFUSED, RTSP_INPUT, 'probe');
    expect(error.code).toBe('input_unreachable');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^rtsp:\/\/admin:\*\*\*@127\.0\.0\.1:8554\/live could not be reached \(ffmpeg: /);
  });

  it.each([
    ['HTTP', HTTP_401, 'http://admin:s3cret@127.0.0.1:8998/x.mp4'],
    ['RTSP', RTSP_401, 'rtsp://admin:s3cret@192.168.1.20:554/stream1'],
  ])('maps a %s 401 to input_unreachable with a credentials hint', (_kind, stderr, input) => {
    const error = ffmpegFailure(stderr, input, 'probe');
    expect(error.code).toBe('input_unreachable');
    expect(error.message).toContain('refused access (check the credentials)');
  });

  it('maps 403 Forbidden like a 401', () => {
    const error = ffmpegFailure('http://nvr/x.mp4: Server returned 403 Forbidden (access denied)\n', 'http://nvr/x.mp4', 'probe');
    expect(error.code).toBe('input_unreachable');
    expect(error.message).toMatch(/^http:\/\/nvr\/x\.mp4 refused access/);
  });

  it('maps a 404 to input_unreachable with its own explanation', () => {
    const error = ffmpegFailure(RTSP_404, 'rtsp://admin:s3cret@192.168.1.20:554/nope', 'probe');
    expect(error.code).toBe('input_unreachable');
    expect(error.message).toMatch(/^rtsp:\/\/admin:\*\*\*@192\.168\.1\.20:554\/nope was not found on the server \(HTTP 404\)/);
  });

  it('maps a DNS failure to input_unreachable', () => {
    const error = ffmpegFailure(DNS, 'rtsp://cam.invalid/live', 'probe');
    expect(error.code).toBe('input_unreachable');
    expect(error.retryable).toBe(true);
  });

  it('maps "Permission denied" to input_unreadable', () => {
    expect(ffmpegFailure(PERMISSION, '/srv/private.mp4', 'decode').code).toBe('input_unreadable');
  });

  it('maps unknown text to decode_failed, worded by what was attempted', () => {
    const stderr = '[h264 @ 0x1] something unheard of happened\n';
    const probe = ffmpegFailure(stderr, 'x.mp4', 'probe');
    expect(probe.code).toBe('decode_failed');
    expect(probe.retryable).toBe(false);
    expect(probe.message).toBe('ffmpeg could not read x.mp4: [h264] something unheard of happened');
    expect(ffmpegFailure(stderr, 'x.mp4', 'decode').message).toBe(
      'ffmpeg could not decode x.mp4: [h264] something unheard of happened',
    );
  });

  it('says that the npm ffmpeg crashed and names the fix', () => {
    const error = ffmpegFailure('', 'http://cam/live/index.m3u8', 'probe', { signal: 'SIGSEGV', tool: 'ffprobe', origin: 'npm' });
    expect(error.code).toBe('decode_failed');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^the ffprobe that npm installed .* crashed \(SIGSEGV\) reading http:\/\/cam\/live\/index\.m3u8/);
    expect(error.message).toContain('apt-get install ffmpeg');
  });

  it('says that a system ffmpeg crashed, without blaming npm', () => {
    const error = ffmpegFailure('[h264 @ 0x1] boom\n', 'x.mp4', 'decode', { signal: 'SIGBUS', tool: 'ffmpeg', origin: 'system' });
    expect(error.message).toBe('ffmpeg crashed (SIGBUS) decoding x.mp4 (ffmpeg: [h264] boom)');
  });

  it('does not call a kill by Vigil (timeout, stop) a crash', () => {
    const error = ffmpegFailure('', 'x.mp4', 'decode', { signal: 'SIGKILL', tool: 'ffmpeg', origin: 'npm' });
    expect(error.message).toBe('ffmpeg could not decode x.mp4');
  });

  it('leaves the reason out when stderr is empty', () => {
    expect(ffmpegFailure('', 'x.mp4', 'decode').message).toBe('ffmpeg could not decode x.mp4');
    expect(ffmpegFailure('\n  \n', 'x.mp4', 'probe').message).toBe('ffmpeg could not read x.mp4');
  });

  it.each([
    ['no such file', NO_SUCH_FILE],
    ['refused', RTSP_REFUSED],
    ['401', RTSP_401],
    ['404', RTSP_404],
    ['unknown', 'rtsp://admin:s3cret@127.0.0.1:8554/live: weird failure\n'],
    ['empty', ''],
  ])('never leaks the password from stderr or the input (%s)', (_kind, stderr) => {
    const error = ffmpegFailure(stderr, RTSP_INPUT, 'decode');
    expect(error.message).not.toContain('s3cret');
    expect(error.details.join('\n')).not.toContain('s3cret');
    expect(String(error.cause ?? '')).not.toContain('s3cret');
    expect(error.message).toContain('admin:***@');
  });

  it('does not leak a password that appears only in stderr', () => {
    const error = ffmpegFailure(HTTP_401, 'camera-7', 'probe');
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain('http://admin:***@127.0.0.1:8998/x.mp4');
  });
});

describe('stderrTail', () => {
  it('keeps the last three non-empty lines, trimmed, joined with " | "', () => {
    expect(stderrTail('one\n\n  two  \nthree\nfour\n\n')).toBe('two | three | four');
  });

  it('keeps as many lines as asked', () => {
    expect(stderrTail('a\nb\nc', 1)).toBe('c');
    expect(stderrTail('a\nb\nc', 5)).toBe('a | b | c');
  });

  it('redacts credentials', () => {
    expect(stderrTail(RTSP_REFUSED)).toBe(
      '[tcp] Connection to tcp://127.0.0.1:8554 failed: Connection refused | ' +
        'rtsp://admin:***@127.0.0.1:8554/live: Connection refused',
    );
  });

  it('is empty for empty stderr', () => {
    expect(stderrTail('')).toBe('');
  });
});
