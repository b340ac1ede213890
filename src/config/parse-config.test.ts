import { describe, expect, it } from 'vitest';
import { isVigilError, type VigilError } from '../domain/errors.ts';
import type { Env } from './env-substitution.ts';
import { parseConfigText } from './parse-config.ts';

function parse(text: string, env: Env = {}) {
  return parseConfigText(text, { env, baseDir: '/base', fileLabel: 'test.yml' });
}

function rejection(text: string, env: Env = {}): VigilError {
  try {
    parse(text, env);
  } catch (error) {
    if (isVigilError(error)) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

const issues = (text: string, env: Env = {}) => rejection(text, env).details;

describe('parseConfigText: defaults', () => {
  it('turns an empty document into the full default config', () => {
    expect(parse('').config).toEqual({
      logging: { level: 'info' },
      detector: { type: 'centernet', min_score: 0.4, min_area: 0, nms_iou: 0.5, filters: {}, device: 'auto' },
      tracker: { low_score: 0.25, lost_seconds: 3, min_hits: 2, match_iou: 0.2 },
      server: { host: '127.0.0.1', port: 8080 },
      search: { terms: {} },
      genai: {
        enabled: false,
        providers: {},
        roles: {},
        object_prompts: {},
        languages: ['en'],
        image_max_size: 1024,
        analyze_image: { instances: {}, allowed_hosts: [], max_bytes: 20971520, fetch_timeout_s: 15, max_redirects: 3 },
        webhooks: [],
      },
      cameras: {},
      storage: { data_dir: '/base/vigil-data', frames: { keep: true, quality: 80, max_total_mb: 2048 } },
      gateway: {
        enabled: false,
        models: [],
        key_defaults: { requests_per_minute: 60, concurrent_requests: 4, tokens_per_day: null, max_context_tokens: 32768, max_output_tokens: 8192, priority: 'interactive' },
        max_body_mb: 32,
      },
      workers: { lease_s: 15 },
    });
  });

  it('treats a comment-only file and keys without values as absent', () => {
    expect(parse('# nothing yet\n').config).toEqual(parse('').config);
    expect(parse('cameras:\ndetector:\n  workers:\n').config).toEqual(parse('').config);
  });
});

describe('parseConfigText: messages', () => {
  it('reports the exact line for each kind of mistake', () => {
    expect(issues('cameras:\n  back:\n    input: a.mp4\n    zones:\n      door:\n        points: [[100, 400], [300, 400], [300]]\n')).toEqual([
      'cameras.back.zones.door.points[2]: expected [x, y]',
    ]);
    expect(issues('cameras:\n  back: { input: a.mp4, fps: 0 }\n')).toEqual(['cameras.back.fps: expected a number greater than 0']);
    expect(issues('detector:\n  type: yolo\n')).toEqual(['detector.type: expected one of centernet, onnx']);
    expect(issues('cameras:\n  back: { input: a.mp4, fsp: 5 }\n')).toEqual(['cameras.back: unknown key "fsp"']);
    expect(issues('cameras:\n  Back Door: { input: a.mp4 }\n')).toEqual([
      'cameras.Back Door: camera id must match ^[a-z0-9][a-z0-9_-]*$',
    ]);
  });

  it('says "required" for a missing required key', () => {
    expect(issues('cameras:\n  back: { fps: 5 }\n')).toEqual(['cameras.back.input: required']);
  });

  it('names every unknown key on its own line', () => {
    expect(issues('storage: { dir: x, frame: {} }\nmqtt_broker: {}\n')).toEqual([
      'storage: unknown key "dir"',
      'storage: unknown key "frame"',
      '(top level): unknown key "mqtt_broker"',
    ]);
  });

  it('collects every problem of the file in one error', () => {
    const error = rejection(`
logging: { level: loud }
detector: { min_score: 2, workers: 1.5 }
cameras:
  back:
    input: a.mp4
    fps: 61
    labels: [person, person]
    motion: { enabled: yes }
storage: { frames: { quality: 0 } }
`);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe('Invalid configuration in test.yml');
    expect(error.details).toEqual([
      'logging.level: expected one of trace, debug, info, warn, error, fatal, silent',
      'detector.workers: expected an integer at least 1',
      'detector.min_score: expected a number between 0 and 1',
      'cameras.back.fps: expected a number at most 60',
      'cameras.back.labels[1]: duplicate label "person"',
      'cameras.back.motion.enabled: expected true or false',
      'storage.frames.quality: expected an integer between 1 and 100',
    ]);
  });

  it('still runs cross-field checks when sibling fields are invalid', () => {
    expect(issues('detector: { type: onnx, nms_iou: -1 }\n')).toEqual([
      'detector.nms_iou: expected a number between 0 and 1',
      'detector.model: required when detector.type is onnx',
      'detector.labels: required when detector.type is onnx',
    ]);
  });
});

describe('parseConfigText: detector', () => {
  it('requires a model and labels for onnx', () => {
    expect(issues('detector: { type: onnx, labels: labels.txt }\n')).toEqual([
      'detector.model: required when detector.type is onnx',
    ]);
  });

  it('rejects onnx-only keys with the bundled detector, which would ignore them', () => {
    expect(issues('detector: { model: yolo.onnx }\n')).toEqual(['detector.model: only used when detector.type is onnx']);
  });

  it("takes the tracker's low score from the detector's own score range unless it is set", () => {
    expect(parse('').config.tracker.low_score).toBe(0.25);
    expect(parse('detector: { type: onnx, model: yolo.onnx, labels: labels.txt }\n').config.tracker.low_score).toBe(0.1);
    expect(parse('detector: { type: onnx, model: yolo.onnx, labels: labels.txt }\ntracker: { low_score: 0.2 }\n').config.tracker.low_score).toBe(0.2);
  });

  it('accepts per-label filters and rejects unknown filter keys', () => {
    const { config } = parse('detector:\n  filters:\n    person: { min_score: 0.45, min_area: 400 }\n');
    expect(config.detector.filters).toEqual({ person: { min_score: 0.45, min_area: 400 } });
    expect(issues('detector:\n  filters:\n    person: { score: 0.5 }\n')).toEqual(['detector.filters.person: unknown key "score"']);
  });
});

describe('parseConfigText: zones and tripwires', () => {
  const camera = (body: string) => `cameras:\n  back:\n    input: a.mp4\n${body}`;

  it('keeps fraction coordinates within 0..1', () => {
    const text = camera('    zones:\n      door:\n        units: fraction\n        points: [[0, 0], [1.5, 0], [1, 1]]\n');
    expect(issues(text)).toEqual([
      'cameras.back.zones.door.points[1]: coordinates must be between 0 and 1 when units is fraction',
    ]);
  });

  it('rejects negative coordinates and too few points', () => {
    expect(issues(camera('    zones:\n      door: { points: [[0, 0], [-1, 0], [1, 1]] }\n'))).toEqual([
      'cameras.back.zones.door.points[1]: coordinates must be at least 0',
    ]);
    expect(issues(camera('    zones:\n      door: { points: [[0, 0], [1, 1]] }\n'))).toEqual([
      'cameras.back.zones.door.points: expected at least 3 points',
    ]);
  });

  it('rejects a zero-length tripwire', () => {
    expect(issues(camera('    tripwires:\n      gate: { points: [[0, 300], [0, 300]] }\n'))).toEqual([
      'cameras.back.tripwires.gate.points: the two points are identical (zero-length line)',
    ]);
  });

  it('rejects a tripwire without exactly two points and a bad direction', () => {
    expect(issues(camera('    tripwires:\n      gate: { points: [[0, 300]], direction: up }\n'))).toEqual([
      'cameras.back.tripwires.gate.points: expected exactly 2 points',
      'cameras.back.tripwires.gate.direction: expected one of a_to_b, b_to_a, any',
    ]);
  });

  it('fills zone and tripwire defaults', () => {
    const { config } = parse(
      camera('    zones:\n      door: { points: [[0, 0], [10, 0], [10, 10]] }\n    tripwires:\n      gate: { points: [[0, 0], [5, 5]] }\n'),
    );
    expect(config.cameras['back']?.zones['door']).toEqual({
      points: [[0, 0], [10, 0], [10, 10]],
      units: 'pixels',
      restricted: false,
      debounce_frames: 3,
    });
    expect(config.cameras['back']?.tripwires['gate']).toEqual({
      points: [[0, 0], [5, 5]],
      direction: 'any',
      units: 'pixels',
      min_track_age: 2,
      hysteresis: 0.008,
    });
  });

  it('validates loitering settings and fills their defaults', () => {
    const { config } = parse(camera('    zones:\n      porch:\n        points: [[0, 0], [10, 0], [10, 10]]\n        loitering: { min_seconds: 30, max_speed: 0.02 }\n'));
    expect(config.cameras['back']?.zones['porch']?.loitering).toEqual({ min_seconds: 30, max_speed: 0.02, speed_units: 'fraction', back_and_forth: 0 });
    expect(issues(camera('    zones:\n      porch:\n        points: [[0, 0], [10, 0], [10, 10]]\n        loitering: { min_seconds: 0 }\n'))).toEqual([
      'cameras.back.zones.porch.loitering.min_seconds: expected a number greater than 0',
      'cameras.back.zones.porch.loitering.max_speed: required',
    ]);
  });
});

describe('parseConfigText: cameras', () => {
  it('rejects a start time without an offset, and any start time on a stream', () => {
    expect(issues('cameras:\n  back: { input: a.mp4, start_time: "2026-11-20T22:00:00" }\n')).toEqual([
      'cameras.back.start_time: expected an ISO 8601 date-time with an offset or Z, e.g. 2026-11-20T22:00:00+08:00',
    ]);
    expect(issues('cameras:\n  back: { input: "rtsp://h/s", start_time: "2026-11-20T22:00:00Z" }\n')).toEqual([
      'cameras.back.start_time: only allowed when input is a file, not a stream URL',
    ]);
  });

  it('takes rtsp_transport tcp or udp, and only for RTSP inputs', () => {
    expect(parse('cameras:\n  back: { input: "rtsp://h/s", rtsp_transport: udp }\n').config.cameras['back']?.rtsp_transport).toBe('udp');
    expect(parse('cameras:\n  back: { input: "RTSPS://h/s", rtsp_transport: tcp }\n').config.cameras['back']?.rtsp_transport).toBe('tcp');
    expect(parse('cameras:\n  back: { input: "rtsp://h/s" }\n').config.cameras['back']?.rtsp_transport).toBeUndefined();
    expect(issues('cameras:\n  back: { input: "http://h/v.mjpg", rtsp_transport: udp }\n')).toEqual([
      'cameras.back.rtsp_transport: only allowed when input is an rtsp:// or rtsps:// URL',
    ]);
    expect(issues('cameras:\n  back: { input: "rtsp://h/s", rtsp_transport: multicast }\n')).toEqual([
      'cameras.back.rtsp_transport: expected one of tcp, udp',
    ]);
  });

  it('validates time zones and URL schemes', () => {
    expect(issues('cameras:\n  back: { input: "ftp://h/a.mp4", timezone: Mars/Base }\n')).toEqual([
      'cameras.back.input: unsupported URL scheme "ftp"; expected a file path or an rtsp://, rtsps://, http:// or https:// URL',
      'cameras.back.timezone: unknown time zone "Mars/Base" (expected an IANA name such as Europe/Paris)',
    ]);
  });
});

describe('parseConfigText: YAML syntax', () => {
  it('reports line and column', () => {
    const error = rejection('cameras:\n  back:\n    input: a.mp4\n   fps: 5\n');
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe('Invalid configuration in test.yml');
    expect(error.details).toEqual(['line 4, column 1: All mapping items must start at the same column']);
    expect(issues('detector:\n\ttype: onnx\n')).toEqual(['line 2, column 1: Tabs are not allowed as indentation']);
  });

  it('reports duplicate keys with their position', () => {
    expect(issues('logging: {}\nlogging: {}\n')).toEqual(['line 2, column 1: Map keys must be unique']);
  });

  it('rejects a document that is not a mapping', () => {
    expect(issues('- a\n- b\n')).toEqual(['(top level): expected a mapping']);
  });

  it('supports merge keys for shared camera settings', () => {
    const { config } = parse('cameras:\n  a: &a { input: a.mp4, fps: 2 }\n  b:\n    <<: *a\n    input: b.mp4\n');
    expect(config.cameras['b']?.fps).toBe(2);
    expect(config.cameras['b']?.input).toBe('/base/b.mp4');
  });
});

describe('parseConfigText: environment variables', () => {
  it('substitutes before validation and remembers the values as secrets', () => {
    const { config, secrets } = parse('cameras:\n  back: { input: "rtsp://user:{VIGIL_RTSP_PASSWORD}@10.0.0.5/stream" }\n', {
      VIGIL_RTSP_PASSWORD: 'hunter2',
    });
    expect(config.cameras['back']?.input).toBe('rtsp://user:hunter2@10.0.0.5/stream');
    expect(secrets).toEqual(['hunter2']);
  });

  it('fails with env_missing, naming the variable and the field', () => {
    const error = rejection('cameras:\n  back: { input: "rtsp://user:{VIGIL_RTSP_PASSWORD}@10.0.0.5/stream" }\n');
    expect(error.code).toBe('env_missing');
    expect(error.details).toEqual(['cameras.back.input: environment variable VIGIL_RTSP_PASSWORD is not set']);
  });
});

describe('parseConfigText: paths', () => {
  it('resolves relative file paths against the base folder and leaves URLs and absolute paths alone', () => {
    const { config } = parse(`
detector: { type: onnx, model: models/yolo.onnx, labels: /etc/vigil/labels.txt }
cameras:
  clip: { input: clips/a.mp4 }
  cam: { input: "rtsp://10.0.0.5/stream" }
storage: { data_dir: ../data }
`);
    expect(config.detector.model).toBe('/base/models/yolo.onnx');
    expect(config.detector.labels).toBe('/etc/vigil/labels.txt');
    expect(config.cameras['clip']?.input).toBe('/base/clips/a.mp4');
    expect(config.cameras['cam']?.input).toBe('rtsp://10.0.0.5/stream');
    expect(config.storage.data_dir).toBe('/data');
  });
});
