/**
 * The `genai` block as the model services take it: providers by name, the analyze_image
 * instances, and what the description prompts need to know about each camera.
 */
import type { ProviderSettings } from '../../ports/llm-provider.ts';
import type { AnalyzeImageInstance } from '../../services/genai/analyze-image.service.ts';
import type { DescriptionCamera } from '../../services/genai/descriptions/index.ts';
import type { GenaiConfig } from '../genai.schema.ts';
import type { VigilConfig } from '../config.schema.ts';
import { cameraTimeZone } from './camera-settings.ts';

export interface ProviderEntry {
  settings: ProviderSettings;
  concurrency?: number;
  maxQueued: number;
  /** The provider asked when this one is down. */
  fallback?: string;
}

/** The configured providers by name; a Frigate-style block directly under genai is called "default". */
export function providerEntries(genai: GenaiConfig): ProviderEntry[] {
  const entries: ProviderEntry[] = [];
  if (genai.provider && genai.model) {
    entries.push({
      settings: {
        name: 'default',
        kind: genai.provider,
        model: genai.model,
        ...(genai.embedding_model ? { embeddingModel: genai.embedding_model } : {}),
        ...(genai.base_url ? { baseUrl: genai.base_url } : {}),
        ...(genai.api_key ? { apiKey: genai.api_key } : {}),
        providerOptions: genai.provider_options ?? {},
        timeoutMs: (genai.timeout_s ?? 180) * 1000,
      },
      ...(genai.concurrency !== undefined ? { concurrency: genai.concurrency } : {}),
      maxQueued: genai.max_queued ?? 200,
      ...(genai.fallback !== undefined ? { fallback: genai.fallback } : {}),
    });
  }
  for (const [name, p] of Object.entries(genai.providers)) {
    entries.push({
      settings: {
        name,
        kind: p.provider,
        model: p.model,
        ...(p.embedding_model ? { embeddingModel: p.embedding_model } : {}),
        ...(p.base_url ? { baseUrl: p.base_url } : {}),
        ...(p.api_key ? { apiKey: p.api_key } : {}),
        providerOptions: p.provider_options,
        timeoutMs: p.timeout_s * 1000,
      },
      ...(p.concurrency !== undefined ? { concurrency: p.concurrency } : {}),
      maxQueued: p.max_queued,
      ...(p.fallback !== undefined ? { fallback: p.fallback } : {}),
    });
  }
  return entries;
}

/** The provider that plays a role: the one `genai.roles` names; descriptions fall back to the first provider. */
export function roleProvider(genai: GenaiConfig, role: 'descriptions' | 'answers' | 'embeddings'): ProviderEntry | undefined {
  const entries = providerEntries(genai);
  const name = genai.roles[role] ?? (role === 'descriptions' ? entries[0]?.settings.name : undefined);
  return entries.find((e) => e.settings.name === name);
}

/** analyze_image instances from config; with none configured, the descriptions provider describes alone. */
export function analyzeImageInstances(genai: GenaiConfig): Array<[string, AnalyzeImageInstance]> {
  const configured = Object.entries(genai.analyze_image.instances).map(([name, i]): [string, AnalyzeImageInstance] => [
    name,
    { vision: i.vision, ...(i.text ? { text: i.text } : {}), ...(i.prompt ? { prompt: i.prompt } : {}), ...(i.text_prompt ? { textPrompt: i.text_prompt } : {}) },
  ]);
  if (configured.length > 0) return configured;
  const fallback = roleProvider(genai, 'descriptions')?.settings.name;
  return fallback ? [[fallback, { vision: fallback, ...(genai.roles.answers ? { text: genai.roles.answers } : {}) }]] : [];
}

/** What a description prompt says about each configured camera (name, time zone, rule names). */
export function descriptionCameras(config: Pick<VigilConfig, 'cameras' | 'search'>): DescriptionCamera[] {
  return Object.entries(config.cameras).map(([id, c]) => ({
    id,
    name: c.name,
    timeZone: cameraTimeZone(config, id),
    genai: c.genai,
    ruleNames: Object.fromEntries([...Object.entries(c.zones), ...Object.entries(c.tripwires)].map(([k, r]) => [k, r.display_name ?? k])),
  }));
}
