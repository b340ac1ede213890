import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ImageAnalysis, ImageAnalysisStore } from '../../../ports/image-analysis-store.ts';

const analysisSchema = z.object({
  instance: z.string(),
  image_name: z.string(),
  image_url: z.string().nullable(),
  prompt: z.string(),
  description: z.string(),
  used_text_model: z.boolean(),
  text_prompt: z.string().nullable(),
  final_description: z.string(),
  created_at: z.string(),
  model: z.string(),
  text_model: z.string().nullable(),
});

export class SqliteImageAnalysisStore implements ImageAnalysisStore {
  constructor(private readonly db: Database.Database) {}

  async save(analysis: ImageAnalysis): Promise<void> {
    this.db
      .prepare('INSERT INTO image_analyses (image_name, created_at, result_json) VALUES (?, ?, ?)')
      .run(analysis.image_name, Date.parse(analysis.created_at), JSON.stringify(analysis));
  }

  async latest(imageName: string): Promise<ImageAnalysis | undefined> {
    const row = this.db
      .prepare('SELECT result_json FROM image_analyses WHERE image_name = ? ORDER BY created_at DESC, id DESC LIMIT 1')
      .get(imageName);
    if (row === undefined) return undefined;
    const json = z.object({ result_json: z.string() }).parse(row).result_json;
    return analysisSchema.parse(JSON.parse(json));
  }

  /** The latest result of every image name (at most `limit` names, most recent first): Home Assistant's sensors after a restart. */
  async latestPerName(limit = 500): Promise<ImageAnalysis[]> {
    const rows = this.db
      .prepare('SELECT image_name FROM image_analyses GROUP BY image_name ORDER BY MAX(created_at) DESC LIMIT ?')
      .all(limit);
    const names = z.array(z.object({ image_name: z.string() })).parse(rows);
    const latest = await Promise.all(names.map((r) => this.latest(r.image_name)));
    return latest.filter((analysis) => analysis !== undefined);
  }
}
