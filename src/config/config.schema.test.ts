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
