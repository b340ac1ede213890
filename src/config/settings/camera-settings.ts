/**
 * The cameras' configuration as the analysis takes it: sampling, detection thresholds, tracker
 * settings and rules. Pure translation of validated config into the services' settings types.
 */
import { basename, resolve } from 'node:path';
import { DEFAULT_LABELS, type DetectionFilterOptions } from '../../domain/detection.ts';
import { VigilError } from '../../domain/errors.ts';
import { DEFAULT_MOTION_GATE } from '../../domain/motion-gate.ts';
import type { RuleSpec } from '../../domain/rules/rule-spec.ts';
import type { TripwireSide } from '../../domain/rules/rule-types.ts';
import type { CameraAnalysisSettings } from '../../services/analyze-video.service.ts';
import { isStreamInput } from '../camera-input.ts';
import type { CameraConfig, DetectorConfig, TrackerConfig, VigilConfig } from '../config.schema.ts';

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Zone in which times in questions are read, and in which listings are shown. */
export function searchTimeZone(config: Pick<VigilConfig, 'search'>): string {
  return config.search.timezone ?? systemTimeZone();
}

export function cameraTimeZone(config: Pick<VigilConfig, 'search' | 'cameras'>, cameraId: string): string {
  return config.cameras[cameraId]?.timezone ?? searchTimeZone(config);
}

/** Cameras that run live under `vigil serve`: stream URLs unless turned off, and files that ask to (played in a loop). */
export function liveCameraIds(config: Pick<VigilConfig, 'cameras'>): string[] {
  return Object.entries(config.cameras)
    .filter(([, c]) => c.live.enabled ?? isStreamInput(c.input))
    .map(([id]) => id);
}

export function detectionFilter(detector: DetectorConfig, labels?: readonly string[]): DetectionFilterOptions {
  return {
    defaults: { minScore: detector.min_score, minArea: detector.min_area },
    perLabel: Object.fromEntries(
      Object.entries(detector.filters).map(([label, f]) => [
        label,
        { ...(f.min_score !== undefined ? { minScore: f.min_score } : {}), ...(f.min_area !== undefined ? { minArea: f.min_area } : {}) },
      ]),
    ),
    ...(labels ? { labels } : {}),
  };
}

/**
 * What the detector itself drops: below the tracker's low score, or below the minimum area.
 * Candidates between the low score and their label's threshold still reach the tracker, which
 * uses them to keep tracks alive through partial occlusion (ByteTrack's second stage).
 */
export function candidateFilter(detector: DetectorConfig, tracker: TrackerConfig): DetectionFilterOptions {
  const confidence = detectionFilter(detector);
  return {
    defaults: { minScore: Math.min(tracker.low_score, confidence.defaults.minScore), minArea: confidence.defaults.minArea },
    perLabel: Object.fromEntries(
      Object.entries(confidence.perLabel).map(([label, f]) => [label, { ...(f.minArea !== undefined ? { minArea: f.minArea } : {}), minScore: Math.min(tracker.low_score, f.minScore ?? 1) }]),
    ),
  };
}

/** Everything about the detector that changes its output: part of an analysis run's identity. */
export function detectorSettings(detector: DetectorConfig): unknown {
  // Workers and device change speed, not results.
  const { workers: _workers, device: _device, ...rest } = detector;
  return rest;
}

/**
 * The camera an input is analysed as: the one named, else the configured camera whose input is
 * this file, else an ad-hoc camera named after the file with default settings.
 */
export function resolveCamera(
  config: Pick<VigilConfig, 'cameras'>,
  input: string,
  cameraId: string | undefined,
): { id: string; camera: Partial<CameraConfig> } {
  const cameras = config.cameras;
  if (cameraId !== undefined) {
    const camera = cameras[cameraId];
    if (!camera) {
      const known = Object.keys(cameras);
      throw new VigilError('camera_unknown', `Camera "${cameraId}" is not in the configuration`, {
        details: [known.length ? `known cameras: ${known.join(', ')}` : 'the configuration has no cameras'],
      });
    }
    return { id: cameraId, camera };
  }
  const absolute = resolve(input);
  const match = Object.entries(cameras).find(([, c]) => c.input === input || c.input === absolute);
  if (match) return { id: match[0], camera: match[1] };
  const stem = basename(input).replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return { id: stem || 'default', camera: {} };
}

export function cameraSettings(
  id: string,
  camera: Partial<CameraConfig>,
  config: Pick<VigilConfig, 'detector' | 'tracker'>,
  overrides: { fps?: number } = {},
): CameraAnalysisSettings {
  const motion = camera.motion;
  const timeZone = camera.timezone ?? systemTimeZone();
  return {
    cameraId: id,
    sampleFps: overrides.fps ?? camera.fps ?? 5,
    ...(camera.detect_width !== undefined ? { detectWidth: camera.detect_width } : {}),
    labels: camera.labels ?? DEFAULT_LABELS,
    timeZone,
    ...(camera.start_time !== undefined ? { startTimeMs: Date.parse(camera.start_time) } : {}),
    ...(camera.rtsp_transport !== undefined ? { rtspTransport: camera.rtsp_transport } : {}),
    motion: {
      ...DEFAULT_MOTION_GATE,
      ...(motion
        ? {
            enabled: motion.enabled,
            pixelThreshold: motion.threshold,
            minChangedFraction: motion.min_area,
            forceEverySeconds: motion.force_every_s,
          }
        : {}),
    },
    confidence: detectionFilter(config.detector),
    tracker: {
      lowScore: config.tracker.low_score,
      lostSeconds: config.tracker.lost_seconds,
      minHits: config.tracker.min_hits,
      matchIou: config.tracker.match_iou,
    },
    rules: ruleSpec(id, camera, timeZone),
  };
}

/**
 * A zone's or tripwire's name in sentences: its display names, else its key made readable
 * (`back_door` is "back door"), so that summaries and answers never show a config id.
 */
function displayName(key: string, en: string | undefined, zh: string | undefined) {
  const readable = key.replace(/[_-]+/g, ' ').trim() || key;
  return { en: en ?? readable, zhHant: zh ?? en ?? readable };
}

function tripwireSide(side: { name: string; name_zh?: string | undefined; aliases: readonly string[] }): TripwireSide {
  return { name: { en: side.name, zhHant: side.name_zh ?? side.name }, aliases: side.aliases };
}

/** The camera's zones, tripwires and event settings as the rule engine takes them. */
export function ruleSpec(id: string, camera: Partial<CameraConfig>, timeZone: string): RuleSpec {
  return {
    cameraId: id,
    cameraName: camera.name ?? id,
    timeZone,
    zones: Object.entries(camera.zones ?? {}).map(([name, z]) => ({
      name,
      displayName: displayName(name, z.display_name, z.display_name_zh),
      points: z.points,
      units: z.units,
      ...(z.labels ? { labels: z.labels } : {}),
      debounceFrames: z.debounce_frames,
      restricted: z.restricted,
      ...(z.loitering
        ? {
            loitering: {
              minSeconds: z.loitering.min_seconds,
              maxSpeed: z.loitering.max_speed,
              speedUnits: z.loitering.speed_units,
              backAndForth: z.loitering.back_and_forth,
            },
          }
        : {}),
    })),
    tripwires: Object.entries(camera.tripwires ?? {}).map(([name, t]) => ({
      name,
      displayName: displayName(name, t.display_name, t.display_name_zh),
      points: [t.points[0]!, t.points[1]!] as const,
      units: t.units,
      direction: t.direction,
      ...(t.inbound ? { inbound: t.inbound } : {}),
      ...(t.side_a || t.side_b ? { sides: { ...(t.side_a ? { a: tripwireSide(t.side_a) } : {}), ...(t.side_b ? { b: tripwireSide(t.side_b) } : {}) } } : {}),
      ...(t.labels ? { labels: t.labels } : {}),
      minTrackAgeFrames: t.min_track_age,
      hysteresis: t.hysteresis,
    })),
    objectSeenLabels: camera.events?.object_seen ?? [],
    cooldownSeconds: camera.events?.cooldown_s ?? 30,
    mergeSeconds: camera.events?.merge_s ?? 5,
  };
}
