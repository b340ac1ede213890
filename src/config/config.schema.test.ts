import { describe, expect, it } from 'vitest';
import { DEFAULT_LABELS } from '../domain/detection.ts';
import { vigilConfigSchema } from './config.schema.ts';
import { configErrorMap } from './format-issues.ts';

const parseCamera = (camera: Record<string, unknown>) =>
  vigilConfigSchema.parse({ cameras: { back: camera } }, { error: configErrorMap }).cameras['back'];

describe('vigilConfigSchema', () => {
  it('applies every default to an empty object, keeping data_dir relative', () => {
    const config = vigilConfigSchema.parse({});
    expect(config.storage.data_dir).toBe('vigil-data');
    expect(config.detector.workers).toBeUndefined();
    expect(config.cameras).toEqual({});
  });

  it('fills camera defaults and names a camera after its id', () => {
    expect(parseCamera({ input: 'a.mp4' })).toEqual({
      name: 'back',
      aliases: [],
      input: 'a.mp4',
      fps: 5,
      labels: [...DEFAULT_LABELS],
      motion: { enabled: true, threshold: 25, min_area: 0.002, force_every_s: 10 },
      live: { queue_frames: 8, stall_s: 20, reconnect: { min_s: 1, max_s: 60, healthy_after_s: 30 } },
      events: { object_seen: [], cooldown_s: 30, merge_s: 5 },
      genai: { enabled: true, object_prompts: {}, required_zones: [], use_snapshot: false },
      zones: {},
      tripwires: {},
    });
    expect(parseCamera({ input: 'a.mp4', name: 'Back door' })?.name).toBe('Back door');
  });

  it('refuses a reconnect cap below its start, naming the field', () => {
    const result = vigilConfigSchema.safeParse({ cameras: { a: { input: 'rtsp://cam/1', live: { reconnect: { min_s: 10, max_s: 5 } } } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain('cameras.a.live.reconnect.max_s');
  });

  it('gives each camera its own copy of the default labels', () => {
    const config = vigilConfigSchema.parse({ cameras: { a: { input: 'a.mp4' }, b: { input: 'b.mp4' } } });
    config.cameras['a']?.labels.push('horse');
    expect(config.cameras['b']?.labels).toEqual([...DEFAULT_LABELS]);
    expect(DEFAULT_LABELS).not.toContain('horse');
  });

  it('accepts the documented full example', () => {
    const result = vigilConfigSchema.safeParse({
      logging: { level: 'debug' },
      detector: { type: 'onnx', workers: 2, model: 'y.onnx', labels: 'l.txt', input_size: 640, device: 'cpu' },
      cameras: {
        back: {
          name: 'Back door',
          input: 'clip.mp4',
          fps: 5,
          detect_width: 768,
          labels: ['person', 'car'],
          timezone: 'Asia/Taipei',
          start_time: '2026-11-20T22:00:00+08:00',
          motion: { enabled: true, threshold: 25, min_area: 0.002, force_every_s: 10 },
          zones: { door: { points: [[100, 400], [300, 400], [300, 576]], units: 'pixels', labels: ['person'] } },
          tripwires: { gate: { points: [[0, 300], [768, 320]], direction: 'a_to_b', labels: ['person'] } },
        },
      },
      storage: { data_dir: './vigil-data', frames: { keep: false, quality: 90, max_total_mb: 100 } },
    });
    expect(result.error?.issues).toBeUndefined();
    expect(result.success).toBe(true);
  });
});

describe('vigilConfigSchema: retention', () => {
  const issues = (value: unknown) => {
    const result = vigilConfigSchema.safeParse(value, { error: configErrorMap });
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('keeps everything by default: no retention section, no camera retention', () => {
    const config = vigilConfigSchema.parse({ cameras: { a: { input: 'a.mp4' } } });
    expect(config.storage.retention).toBeUndefined();
    expect(config.cameras['a']?.retention).toBeUndefined();
  });

  it('takes days (fractions too), forever, a disk cap and an interval, with a default interval', () => {
    const config = vigilConfigSchema.parse({
      storage: { retention: { days: 30, max_disk_mb: 51200 } },
      cameras: { a: { input: 'a.mp4', retention: { days: 0.5 } }, b: { input: 'b.mp4', retention: { days: 'forever' } } },
    });
    expect(config.storage.retention).toEqual({ days: 30, max_disk_mb: 51200, interval_minutes: 60 });
    expect(config.cameras['a']?.retention).toEqual({ days: 0.5 });
    expect(config.cameras['b']?.retention).toEqual({ days: 'forever' });
    expect(vigilConfigSchema.parse({ storage: { retention: { days: 'forever', interval_minutes: 5 } } }).storage.retention).toEqual({ days: 'forever', interval_minutes: 5 });
  });

  it('refuses zero, negative and non-numeric days, naming the field', () => {
    const message = 'expected a number of days greater than 0, or forever';
    expect(issues({ storage: { retention: { days: 0 } } })).toEqual([`storage.retention.days: ${message}`]);
    expect(issues({ storage: { retention: { days: -3 } } })).toEqual([`storage.retention.days: ${message}`]);
    expect(issues({ storage: { retention: { days: 'never' } } })).toEqual([`storage.retention.days: ${message}`]);
    expect(issues({ cameras: { a: { input: 'a.mp4', retention: { days: '7' } } } })).toEqual([`cameras.a.retention.days: ${message}`]);
    expect(issues({ cameras: { a: { input: 'a.mp4', retention: {} } } })).toEqual(['cameras.a.retention.days: required']);
  });

  it('refuses a zero cap, a sweep more often than once a minute, and unknown keys', () => {
    expect(issues({ storage: { retention: { max_disk_mb: 0, interval_minutes: 0.5, keep: 3 } } })).toEqual([
      'storage.retention.max_disk_mb: expected a number greater than 0',
      'storage.retention.interval_minutes: expected a number between 1 and 10080',
      'storage.retention: unknown key "keep"',
    ]);
    // Past 24.8 days Node's timers fire at once: a sweep would run back to back.
    expect(issues({ storage: { retention: { interval_minutes: 40_000 } } })).toEqual(['storage.retention.interval_minutes: expected a number between 1 and 10080']);
    expect(issues({ cameras: { a: { input: 'a.mp4', retention: { days: 3, max_disk_mb: 5 } } } })).toEqual(['cameras.a.retention: unknown key "max_disk_mb"']);
  });
});
