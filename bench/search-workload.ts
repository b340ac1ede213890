/**
 * The search benchmarks' workload, shared by bench/search.bench.ts (SQLite) and
 * bench/scale/search.ts (SQLite beside PostgreSQL): a year of synthetic bilingual events from 40
 * cameras (test/factories/synthetic-events.ts), the configuration that names those cameras, and
 * the questions asked of it. The same seed and count give the same events in both.
 */
import { parseConfigText, type LoadedConfig } from '../src/config/index.ts';
import type { SearchRequest } from '../src/services/search/search.service.ts';
import { syntheticCameras, SYNTHETIC_TIME_ZONE } from '../test/factories/synthetic-events.ts';

export const SEED = 20260320;
export const DAY_MS = 86_400_000;
/** The fixed "now" of every question: a Friday morning, at the end of the generated year. */
export const NOW = Date.parse('2026-03-20T09:30:00+08:00');
export const FROM = NOW - 365 * DAY_MS;
export const cameras = syntheticCameras(40, SEED);

/** Runs are created first, one per camera, so their ids are 1..40 in camera order. */
export function runIdOf(cameraId: string): number {
  return 1 + cameras.findIndex((c) => c.id === cameraId);
}

export interface BenchQuery {
  name: string;
  request: Omit<SearchRequest, 'limit'>;
}

export const QUERIES: readonly BenchQuery[] = [
  { name: 'zh time+camera+loitering', request: { q: '昨天晚上10點到11點後門有沒有人徘徊？' } },
  { name: 'en van+colour+camera+time', request: { q: 'white van at the gate this morning' } },
  { name: 'zh intrusion+camera', request: { q: '有人闖入車庫嗎' } },
  { name: 'en crossing last week', request: { q: 'who crossed the line last week' } },
  { name: 'en text only', request: { q: 'red jacket' } },
  { name: 'en person loitering', request: { q: 'person loitering' } },
  { name: 'zh text+person', request: { q: '穿紅色外套的人' } },
  { name: 'zh camera+colour+car', request: { q: '停車場有白色的車嗎' } },
  { name: 'zh truck+gate last week', request: { q: '上週有貨車進入大門嗎' } },
  { name: 'en dog+camera', request: { q: 'dog in the garden' } },
  { name: 'en text+filters', request: { q: 'red jacket', camera: 'front', fromMs: NOW - 30 * DAY_MS, toMs: NOW } },
  { name: 'filters camera+day', request: { q: '', camera: 'back', fromMs: NOW - 2 * DAY_MS, toMs: NOW - DAY_MS } },
  { name: 'filters camera+week', request: { q: '', camera: 'parking', fromMs: NOW - 7 * DAY_MS, toMs: NOW } },
];

/** The cameras' configuration, through the real parser and schema (JSON is YAML); `database`: PostgreSQL instead of the SQLite file. */
export function benchConfig(dataDir: string, database?: string): LoadedConfig {
  const config = {
    logging: { level: 'warn' },
    storage: { data_dir: dataDir, ...(database ? { database } : {}) },
    search: { timezone: SYNTHETIC_TIME_ZONE },
    cameras: Object.fromEntries(cameras.map((c) => [c.id, { name: c.name, aliases: c.aliases, input: `${c.id}.mp4`, timezone: c.timeZone }])),
  };
  return { ...parseConfigText(JSON.stringify(config), { env: {}, baseDir: dataDir, fileLabel: 'bench' }), baseDir: dataDir };
}
