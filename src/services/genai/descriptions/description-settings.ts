import type { VigilEvent } from '../../../domain/events/event-types.ts';
import type { OutputLanguage } from '../output-language.ts';

/**
 * The slice of `genai` the descriptions use. The field names are the config's, so the parsed
 * `config.genai` can be passed as it is.
 */
export interface GenaiDescriptionSettings {
  prompt?: string | undefined;
  object_prompts: Readonly<Record<string, string>>;
  /** The first is the main language (free-text fields); every one gets a summary. */
  languages: readonly OutputLanguage[];
  /** Longer side of a key frame sent to the model, in pixels. */
  image_max_size: number;
}

/** A camera's `genai` block (Frigate's keys); `config.cameras[id].genai` fits as it is. */
export interface CameraGenaiSettings {
  enabled: boolean;
  prompt?: string | undefined;
  object_prompts: Readonly<Record<string, string>>;
  /** Only events with one of these labels (default: all). */
  objects?: readonly string[] | undefined;
  /** Only events whose rule (zone or tripwire) is one of these. */
  required_zones: readonly string[];
  use_snapshot: boolean;
}

/** What the descriptions need to know of a camera. */
export interface DescriptionCamera {
  id: string;
  name: string;
  timeZone: string;
  genai: CameraGenaiSettings;
  /** Display names of the camera's zones and tripwires by key (display_name ?? key). */
  ruleNames?: Readonly<Record<string, string>>;
}

/** Frigate's camera defaults: on, every label, any zone, clean key frames. */
export const DEFAULT_CAMERA_GENAI: CameraGenaiSettings = { enabled: true, object_prompts: {}, required_zones: [], use_snapshot: false };

export type PolicyDecision = { describe: true } | { describe: false; reason: string };

/**
 * Whether an event gets a description automatically. A manual request (regenerate, the CLI)
 * bypasses the camera's switches and filters: the user asked for this very event.
 */
export function describePolicy(event: VigilEvent, camera: CameraGenaiSettings, options: { manual?: boolean } = {}): PolicyDecision {
  if (options.manual === true) return { describe: true };
  if (!camera.enabled) return { describe: false, reason: `descriptions are disabled for camera ${event.cameraId}` };
  if (camera.objects !== undefined && camera.objects.length > 0 && !event.labels.some((label) => camera.objects?.includes(label))) {
    return { describe: false, reason: `none of the labels ${event.labels.join(', ')} is in the camera's genai.objects` };
  }
  if (camera.required_zones.length > 0 && (event.type === 'object_seen' || !camera.required_zones.includes(event.rule))) {
    return { describe: false, reason: `the event's rule ${event.rule} is not one of genai.required_zones` };
  }
  return { describe: true };
}

/** The label the event is about: its first actor's, else its first label, else the rule (object_seen). */
export function mainLabel(event: VigilEvent): string {
  return event.actors[0]?.label ?? event.labels[0] ?? event.rule;
}

/**
 * The prompt template as Frigate chooses it: a per-label object prompt (the camera's, then the
 * global one) wins over the camera's prompt, which wins over the global prompt.
 */
export function promptTemplate(event: VigilEvent, camera: CameraGenaiSettings, genai: GenaiDescriptionSettings): string | undefined {
  const label = mainLabel(event);
  const own = (prompts: Readonly<Record<string, string>>) => (Object.hasOwn(prompts, label) ? prompts[label] : undefined);
  return own(camera.object_prompts) ?? own(genai.object_prompts) ?? camera.prompt ?? genai.prompt;
}
