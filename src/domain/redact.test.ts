import { describe, expect, it } from 'vitest';
import { redactUrlCredentials } from './redact.ts';

describe('redactUrlCredentials', () => {
  it.each([
    ['rtsp://admin:s3cret@192.168.1.20:554/Streaming/Channels/101', 'rtsp://admin:***@192.168.1.20:554/Streaming/Channels/101'],
    ['rtsps://viewer:hunter2@cam.local/live', 'rtsps://viewer:***@cam.local/live'],
    ['http://user:pass@nvr.lan:8080/snapshot.jpg', 'http://user:***@nvr.lan:8080/snapshot.jpg'],
    ['https://user:p%40ss%3Aword@example.com/stream.m3u8', 'https://user:***@example.com/stream.m3u8'],
    ['rtmp://pub:key@live.example.com/app', 'rtmp://pub:***@live.example.com/app'],
    ['RTSP://Admin:Secret@CAM/x', 'RTSP://Admin:***@CAM/x'],
    ['rtsp://admin:s3cret@cam', 'rtsp://admin:***@cam'],
    ['rtsp://:s3cret@cam/live', 'rtsp://:***@cam/live'],
    ['rtsp://admin:pa:ss@cam/live', 'rtsp://admin:***@cam/live'],
  ])('redacts the password in %s', (input, expected) => {
    expect(redactUrlCredentials(input)).toBe(expected);
  });

  it('keeps an empty password marker as ***', () => {
    expect(redactUrlCredentials('rtsp://admin:@cam/live')).toBe('rtsp://admin:***@cam/live');
  });

  it.each([
    ['rtsp://192.168.1.20:554/stream1'],
    ['rtsp://admin@cam.local:554/stream1'],
    ['http://example.com/video.mp4'],
    ['https://nvr.lan:8443/api/clip?id=7'],
    ['/recordings/front/2024-05-01.mp4'],
    ['C:\\video\\clip.mp4'],
    ['[tcp @ 0x55c7a46b2140] Connection to tcp://127.0.0.1:8554?timeout=2000000 failed: Connection refused'],
    ['mail admin@example.com about it'],
    [''],
  ])('leaves %j untouched', (input) => {
    expect(redactUrlCredentials(input)).toBe(input);
  });

  it('redacts every URL in one string and keeps the text around them', () => {
    const text =
      'front rtsp://admin:one@10.0.0.5/live failed, back http://user:two@10.0.0.6:8080/x.mp4 failed, side rtsp://10.0.0.7/live ok';
    expect(redactUrlCredentials(text)).toBe(
      'front rtsp://admin:***@10.0.0.5/live failed, back http://user:***@10.0.0.6:8080/x.mp4 failed, side rtsp://10.0.0.7/live ok',
    );
  });

  it('redacts URLs across lines and next to punctuation', () => {
    const text = 'inputs:\n(rtsp://a:b@c/x),\n"http://d:e@f/y"';
    const out = redactUrlCredentials(text);
    expect(out).toBe('inputs:\n(rtsp://a:***@c/x),\n"http://d:***@f/y"');
    expect(out).not.toMatch(/:b@|:e@/);
  });

  it('is idempotent', () => {
    const once = redactUrlCredentials('rtsp://admin:s3cret@cam/live');
    expect(redactUrlCredentials(once)).toBe(once);
  });

  // ffmpeg accepts a raw '@' in the password (it splits user info at the last '@' before the
  // host) and echoes the URL in its errors.
  it('does not leak part of a password that contains a raw @', () => {
    const out = redactUrlCredentials('rtsp://admin:p@ss@cam/live');
    expect(out).not.toContain('ss@');
    expect(out).toBe('rtsp://admin:***@cam/live');
  });
});
