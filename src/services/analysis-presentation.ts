import { z } from 'zod';
import type { DisplayName, RuleSpec } from '../domain/rules/rule-spec.ts';

/**
 * How a camera's events are worded, apart from what the analysis finds: the display names of its
 * zones and tripwires, the camera's name and the time zone of clock times. Changing these must not
 * make an analysis run again (that would replace its events and the descriptions models wrote of
 * them); the stored events are worded anew instead.
 */
export interface RulePresentation {
  cameraName: string;
  timeZone: string;
  zones: Record<string, DisplayName>;
  tripwires: Record<string, DisplayName>;
}

const displayNameSchema = z.object({ en: z.string(), zhHant: z.string() });
const presentationSchema = z.object({
  cameraName: z.string(),
  timeZone: z.string(),
  zones: z.record(z.string(), displayNameSchema),
  tripwires: z.record(z.string(), displayNameSchema),
});
/** What runs stored before presentation was kept apart: the whole rule spec under `rules`. */
const legacyRulesSchema = z.object({
  cameraName: z.string(),
  timeZone: z.string(),
  zones: z.array(z.object({ name: z.string(), displayName: displayNameSchema })),
  tripwires: z.array(z.object({ name: z.string(), displayName: displayNameSchema })),
});

/** The rules without their presentation: what makes an analysis's results, and so its identity. */
export function ruleIdentity(rules: RuleSpec): unknown {
  const { cameraName: _name, timeZone: _zone, zones, tripwires, ...rest } = rules;
  return {
    ...rest,
    zones: zones.map(({ displayName: _d, ...zone }) => zone),
    tripwires: tripwires.map(({ displayName: _d, ...wire }) => wire),
  };
}

export function rulePresentation(rules: RuleSpec): RulePresentation {
  return {
    cameraName: rules.cameraName,
    timeZone: rules.timeZone,
    zones: Object.fromEntries(rules.zones.map((z) => [z.name, z.displayName])),
    tripwires: Object.fromEntries(rules.tripwires.map((t) => [t.name, t.displayName])),
  };
}

/** `rules` as they were presented with `presentation` (names of rules it does not know stay). */
export function withPresentation(rules: RuleSpec, presentation: RulePresentation): RuleSpec {
  return {
    ...rules,
    cameraName: presentation.cameraName,
    timeZone: presentation.timeZone,
    zones: rules.zones.map((z) => ({ ...z, displayName: presentation.zones[z.name] ?? z.displayName })),
    tripwires: rules.tripwires.map((t) => ({ ...t, displayName: presentation.tripwires[t.name] ?? t.displayName })),
  };
}

/** The presentation a run's events were worded with, from its stored settings (either shape). */
export function storedPresentation(settings: unknown): RulePresentation | undefined {
  const record = z.object({ presentation: z.unknown().optional(), rules: z.unknown().optional() }).safeParse(settings);
  if (!record.success) return undefined;
  const current = presentationSchema.safeParse(record.data.presentation);
  if (current.success) return current.data;
  const legacy = legacyRulesSchema.safeParse(record.data.rules);
  if (!legacy.success) return undefined;
  return {
    cameraName: legacy.data.cameraName,
    timeZone: legacy.data.timeZone,
    zones: Object.fromEntries(legacy.data.zones.map((z) => [z.name, z.displayName])),
    tripwires: Object.fromEntries(legacy.data.tripwires.map((t) => [t.name, t.displayName])),
  };
}

export function samePresentation(a: RulePresentation, b: RulePresentation): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
