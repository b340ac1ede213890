/** Cameras as search, the API and the integrations know them: ids, names and aliases people use. */
import { BUILTIN_CONCEPTS, createConceptTable, mergeConcepts, type ConceptTable } from '../../domain/search/concepts.ts';
import { VigilError } from '../../domain/errors.ts';
import type { VigilConfig } from '../config.schema.ts';
import { cameraTimeZone } from './camera-settings.ts';

export interface CameraDirectoryEntry {
  id: string;
  name: string;
  aliases: readonly string[];
  timeZone: string;
  zones: readonly string[];
  tripwires: readonly string[];
}

export function cameraDirectory(config: Pick<VigilConfig, 'cameras' | 'search'>): CameraDirectoryEntry[] {
  return Object.entries(config.cameras).map(([id, c]) => ({
    id,
    name: c.name,
    aliases: c.aliases,
    timeZone: cameraTimeZone(config, id),
    zones: Object.keys(c.zones),
    tripwires: Object.keys(c.tripwires),
  }));
}

/** The names a camera is searched by, as recorded with its indexed events (to notice renames). */
export function cameraSearchNames(cameras: readonly CameraDirectoryEntry[]): Map<string, string> {
  return new Map(cameras.map((c) => [c.id, JSON.stringify([c.name ?? null, c.aliases])]));
}

/** The built-in concept table plus the words the user added in `search.terms`. */
export function conceptTable(config: Pick<VigilConfig, 'search'>, normalize: (text: string) => string, file: string | undefined): ConceptTable {
  const terms = config.search.terms;
  if (Object.keys(terms).length === 0) return createConceptTable();
  try {
    return createConceptTable(mergeConcepts(BUILTIN_CONCEPTS, { terms }, normalize));
  } catch (error) {
    if (error instanceof VigilError) {
      throw new VigilError('config_invalid', `Invalid configuration in ${file ?? 'built-in defaults'}`, { details: [`search.terms: ${error.message}`] });
    }
    throw error;
  }
}
