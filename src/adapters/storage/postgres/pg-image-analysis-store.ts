import { z } from 'zod';
import { VigilError } from '../../../domain/errors.ts';
import type { ImageAnalysis, ImageAnalysisStore } from '../../../ports/image-analysis-store.ts';
import type { SqlClient } from './sql-client.ts';

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

const rowSchema = z.object({ result_json: z.string() });

function parseAnalysis(row: unknown): ImageAnalysis {
  const json = rowSchema.parse(row).result_json;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new VigilError('storage_failed', 'A stored image analysis is not JSON.', { cause });
  }
  return analysisSchema.parse(value);
}

/** analyze_image results in `image_analyses`, the whole result as JSON text as in SQLite. */
export class PgImageAnalysisStore implements ImageAnalysisStore {
  constructor(protected readonly db: SqlClient) {}

  async save(analysis: ImageAnalysis): Promise<void> {
    await this.db.query('INSERT INTO image_analyses (image_name, created_at, result_json) VALUES ($1, $2, $3)', [
      analysis.image_name,
      Date.parse(analysis.created_at),
      JSON.stringify(analysis),
    ]);
  }

  async latest(imageName: string): Promise<ImageAnalysis | undefined> {
    const { rows } = await this.db.query(
      'SELECT result_json FROM image_analyses WHERE image_name = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
      [imageName],
    );
    return rows[0] === undefined ? undefined : parseAnalysis(rows[0]);
  }

  /**
   * The latest result of every image name (at most `limit` names, most recent first), in one
   * statement where SQLite asks once per name. Names whose latest results are equally recent come
   * in name order (SQLite leaves that order to its plan).
   */
  async latestPerName(limit = 500): Promise<ImageAnalysis[]> {
    const { rows } = await this.db.query(
      `SELECT result_json FROM (
         SELECT DISTINCT ON (image_name) image_name, created_at, result_json FROM image_analyses
         ORDER BY image_name, created_at DESC, id DESC) latest
       ORDER BY created_at DESC, image_name
       LIMIT $1`,
      // SQLite reads a negative LIMIT as none; PostgreSQL refuses it, and reads NULL as none.
      [limit < 0 ? null : limit],
    );
    return rows.map(parseAnalysis);
  }
}
