import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/adapters/storage/sqlite/sqlite-analysis-store.ts';
import { createVigil, DATABASE_FILE } from '../../src/app.ts';
import { cameraDirectory } from '../../src/config/settings/index.ts';
import { parseConfigText, type LoadedConfig } from '../../src/config/index.ts';
import { createTextAnalyzer } from '../../src/adapters/text/text-analyzer.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { storedEvent } from '../factories/stored-events.ts';
import { seedDatabase } from '../support/seed-database.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-renames-'));
const text = createTextAnalyzer();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (gate: string): LoadedConfig => ({
  ...parseConfigText(`storage: { data_dir: data }\ncameras:\n  back: { input: back.mp4, aliases: [backyard] }\n  gate: { input: gate.mp4${gate} }\n`, { env: {}, baseDir: dir, fileLabel: 'test' }),
  baseDir: dir,
});

/** Opens the store as `vigil serve` or `vigil search` would; returns what it logged and the events indexed under `word` as a name. */
async function open(loaded: LoadedConfig, word: string): Promise<{ logged: string[]; named: number }> {
  const logged: string[] = [];
  const logger: Logger = { debug: () => {}, info: (_o, m) => void logged.push(m ?? ''), warn: () => {}, error: () => {}, child: () => logger };
  const vigil = createVigil(loaded, { logger });
  await vigil.search.search({ q: word, limit: 1 });
  await vigil.close();
  const db = openSqliteDatabase(join(loaded.config.storage.data_dir, DATABASE_FILE));
  try {
    // The word as the index stores it (normalised and stemmed), looked up in the names column only.
    const tokens = text.indexTokens(word).map((t) => `"${t}"`).join(' ');
    const named = (db.prepare('SELECT COUNT(*) AS n FROM events_fts WHERE events_fts MATCH ?').get(`names:(${tokens})`) as { n: number }).n;
    return { logged, named };
  } finally {
    db.close();
  }
}

describe('camera names in the search index', () => {
  it("re-indexes a camera's events when its names change in the config, and only then", async () => {
    const before = config('');
    await seedDatabase(
      before.config.storage.data_dir,
      [
        storedEvent({ id: 'gate-1', cameraId: 'gate', startMs: Date.UTC(2026, 10, 20, 22), en: 'Car v1 seen', zhHant: '汽車 v1 出現' }),
        storedEvent({ id: 'gate-2', cameraId: 'gate', startMs: Date.UTC(2026, 10, 20, 23), en: 'Person p1 seen', zhHant: '人物 p1 出現' }),
        storedEvent({ id: 'back-1', cameraId: 'back', startMs: Date.UTC(2026, 10, 20, 22), en: 'Person p2 seen', zhHant: '人物 p2 出現' }),
      ],
      cameraDirectory(before.config),
    );
    expect(await open(before, 'frontgate')).toEqual({ logged: [], named: 0 });

    // The user names the gate camera: its two events are re-indexed with the new names, once.
    const renamed = config(', name: Front gate, aliases: [frontgate, 大門]');
    const first = await open(renamed, 'frontgate');
    expect(first.named).toBe(2);
    expect(first.logged).toEqual(['camera names changed in the config; its events were re-indexed']);
    expect(await open(renamed, '大門')).toEqual({ logged: [], named: 2 });
    expect(await open(renamed, 'backyard')).toEqual({ logged: [], named: 1 });

    // And back again: the old names are gone from the index.
    expect(await open(before, 'frontgate')).toEqual({ logged: ['camera names changed in the config; its events were re-indexed'], named: 0 });
  });
});
