import { z } from 'zod';
import type { StoredDescription } from '../../ports/description-store.ts';
import { storedFlag } from './row-values.ts';

/** A `descriptions` row, the same columns on both backends, read back. */
const descriptionRowSchema = z.object({
  provider: z.string(),
  model: z.string(),
  created_at: z.number(),
  json: z.string().nullable(),
  raw_text: z.string().nullable(),
  flagged: storedFlag,
  text_for_search: z.string(),
});

export function toStoredDescription(row: unknown): StoredDescription {
  const r = descriptionRowSchema.parse(row);
  return {
    provider: r.provider,
    model: r.model,
    createdAt: r.created_at,
    // Written by save() from a value the service validated; read back as unknown for it to check again.
    ...(r.json !== null ? { json: JSON.parse(r.json) as unknown } : {}),
    ...(r.raw_text !== null ? { rawText: r.raw_text } : {}),
    flagged: r.flagged,
    textForSearch: r.text_for_search,
  };
}
