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
  /** Every name of its zones and tripwires (keys made readable, display names) and of the tripwires' sides. */
  placeNames: readonly string[];
  /** Every name of its zones alone (keys made readable, display names): entering one is not a crossing. */
  zoneNames: readonly string[];
  /** Whether any of its tripwires says which way is in (`inbound`). */
  saysInbound: boolean;
  /** The names of what lies on each side of the tripwires whose sides are named (side_a / side_b). */
  tripwireSides: ReadonlyArray<{ rule: string; a: readonly string[]; b: readonly string[] }>;
}

const sideNames = (side: { name: string; name_zh?: string | undefined; aliases: readonly string[] } | undefined) =>
  side ? [side.name, ...(side.name_zh ? [side.name_zh] : []), ...side.aliases] : [];

export function cameraDirectory(config: Pick<VigilConfig, 'cameras' | 'search'>): CameraDirectoryEntry[] {
  return Object.entries(config.cameras).map(([id, c]) => ({
    id,
    name: c.name,
    aliases: c.aliases,
    timeZone: cameraTimeZone(config, id),
    zones: Object.keys(c.zones),
    tripwires: Object.keys(c.tripwires),
    placeNames: [
      ...Object.entries({ ...c.zones, ...c.tripwires }).flatMap(([key, r]) => [key.replace(/[_-]+/g, ' '), r.display_name, r.display_name_zh]),
      ...Object.values(c.tripwires).flatMap((t) => [...sideNames(t.side_a), ...sideNames(t.side_b)]),
    ].filter((n): n is string => typeof n === 'string' && n.trim() !== ''),
    zoneNames: Object.entries(c.zones)
      .flatMap(([key, z]) => [key.replace(/[_-]+/g, ' '), z.display_name, z.display_name_zh])
      .filter((n): n is string => typeof n === 'string' && n.trim() !== ''),
    saysInbound: Object.values(c.tripwires).some((t) => t.inbound !== undefined),
    tripwireSides: Object.entries(c.tripwires)
      .filter(([, t]) => t.side_a || t.side_b)
      .map(([rule, t]) => ({ rule, a: sideNames(t.side_a), b: sideNames(t.side_b) })),
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
