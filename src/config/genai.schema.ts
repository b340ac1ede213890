import { z } from 'zod';
import { boundedNumber, evenWithOtherIssues, labelListSchema, NAME_PATTERN } from './schema-parts.ts';

export const PROVIDER_KINDS = ['ollama', 'openai', 'azure_openai', 'gemini', 'anthropic'] as const;
export const OUTPUT_LANGUAGES = ['zh-Hant', 'zh-Hans', 'en'] as const;
export const GENAI_ROLES = ['descriptions', 'answers', 'embeddings'] as const;

/**
 * One model endpoint. The keys are Frigate's (`provider`, `base_url`, `api_key`, `model`,
 * `provider_options`), so a Frigate `genai:` block works as it is; the rest tune Vigil's queue.
 */
const providerFields = {
  provider: z.enum(PROVIDER_KINDS),
  model: z.string().min(1),
  base_url: z.url({ error: 'expected a URL such as http://192.168.1.10:11434' }).optional(),
  api_key: z.string().min(1).optional(),
  /** Passed through to the provider's requests (e.g. Ollama keep_alive and options.num_ctx, Azure api_version). */
  provider_options: z.record(z.string(), z.unknown()).prefault({}),
  /** Model for the embeddings role, when it differs from `model` (e.g. bge-m3 next to a VLM). */
  embedding_model: z.string().min(1).optional(),
  /** Local models are slow: far above Frigate's fixed 60 s by default. */
  timeout_s: boundedNumber({ greaterThan: 0, max: 3600 }).default(180),
  /** Requests in flight at once; Ollama's docs advise 1 per GPU. Default: 1 for ollama, 4 otherwise. */
  concurrency: boundedNumber({ integer: true, min: 1, max: 64 }).optional(),
  max_queued: boundedNumber({ integer: true, min: 1, max: 100_000 }).default(200),
  /** Another provider's name: asked when this one is down (refused connection, timeout, 5xx, circuit open). */
  fallback: z.string().min(1).optional(),
};

const needsKey = (p: { provider: string; api_key?: string | undefined; base_url?: string | undefined }, ctx: z.RefinementCtx) => {
  // An unknown provider is already reported; guessing what it would need only adds noise.
  if (!(PROVIDER_KINDS as readonly string[]).includes(p.provider)) return;
  if (p.provider !== 'ollama' && p.api_key === undefined) {
    ctx.addIssue({ code: 'custom', path: ['api_key'], message: `required for provider ${p.provider} (write it as "{VIGIL_…_API_KEY}")` });
  }
  if (p.provider === 'azure_openai' && p.base_url === undefined) {
    ctx.addIssue({ code: 'custom', path: ['base_url'], message: 'required for azure_openai: your resource URL, e.g. https://NAME.openai.azure.com' });
  }
};

export const providerSchema = z.strictObject(providerFields).superRefine(needsKey, evenWithOtherIssues);

const promptFields = {
  /** Prompt for event descriptions; placeholders {label} {camera} {zones} {rule} {duration}. */
  prompt: z.string().min(1).optional(),
  object_prompts: z.record(z.string(), z.string().min(1)).prefault({}),
};

const analyzeImageInstanceSchema = z.strictObject({
  /** Named provider that describes the image. */
  vision: z.string().min(1),
  /** Named provider that rewrites the description (use_text_model). */
  text: z.string().min(1).optional(),
  prompt: z.string().min(1).optional(),
  text_prompt: z.string().min(1).optional(),
});

const webhookSchema = z.strictObject({
  url: z.url(),
  /** HMAC-SHA256 key; the signature goes in X-Vigil-Signature. */
  secret: z.string().min(16, 'expected at least 16 characters'),
});

export const genaiSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** Frigate style: one provider for everything, written directly under genai. */
    provider: z.enum(PROVIDER_KINDS).optional(),
    model: z.string().min(1).optional(),
    base_url: providerFields.base_url,
    api_key: providerFields.api_key,
    provider_options: z.record(z.string(), z.unknown()).optional(),
    embedding_model: providerFields.embedding_model,
    timeout_s: boundedNumber({ greaterThan: 0, max: 3600 }).optional(),
    concurrency: providerFields.concurrency,
    max_queued: boundedNumber({ integer: true, min: 1, max: 100_000 }).optional(),
    fallback: providerFields.fallback,
    /** Vigil style: several named providers... */
    providers: z.record(z.string(), providerSchema).prefault({}),
    /** ...and which one does what. A role without a provider is off. */
    roles: z
      .strictObject({
        descriptions: z.string().min(1).optional(),
        answers: z.string().min(1).optional(),
        embeddings: z.string().min(1).optional(),
      })
      .prefault({}),
    ...promptFields,
    /** Languages descriptions are written in (the first is the main one). */
    languages: z.array(z.enum(OUTPUT_LANGUAGES)).min(1).default(['en']),
    /** Key frames are resized to fit this many pixels on their longer side. */
    image_max_size: boundedNumber({ integer: true, min: 64, max: 4096 }).default(1024),
    analyze_image: z
      .strictObject({
        instances: z.record(z.string(), analyzeImageInstanceSchema).prefault({}),
        /** Hosts image_url may point to; empty = any public host (private addresses are always refused unless listed). */
        allowed_hosts: z.array(z.string().min(1)).default([]),
        max_bytes: boundedNumber({ integer: true, min: 1024, max: 100 * 1024 * 1024 }).default(20 * 1024 * 1024),
        fetch_timeout_s: boundedNumber({ greaterThan: 0, max: 300 }).default(15),
        max_redirects: boundedNumber({ integer: true, min: 0, max: 10 }).default(3),
      })
      .prefault({}),
    webhooks: z.array(webhookSchema).default([]),
  })
  .superRefine((g, ctx) => {
    const direct = g.provider !== undefined || g.model !== undefined;
    if (direct) {
      if (g.provider === undefined) ctx.addIssue({ code: 'custom', path: ['provider'], message: 'required when genai.model is set' });
      if (g.model === undefined) ctx.addIssue({ code: 'custom', path: ['model'], message: 'required when genai.provider is set' });
      if (g.provider !== undefined) needsKey({ provider: g.provider, api_key: g.api_key, base_url: g.base_url }, ctx);
      if ('default' in g.providers) ctx.addIssue({ code: 'custom', path: ['providers', 'default'], message: 'the name "default" is taken by the provider written directly under genai' });
    }
    for (const name of Object.keys(g.providers)) {
      if (!NAME_PATTERN.test(name)) ctx.addIssue({ code: 'custom', path: ['providers', name], message: `provider name must match ${NAME_PATTERN.source}` });
    }
    const known = new Set([...Object.keys(g.providers), ...(direct ? ['default'] : [])]);
    const check = (path: (string | number)[], name: string | undefined) => {
      if (name !== undefined && !known.has(name)) {
        ctx.addIssue({ code: 'custom', path, message: `unknown provider "${name}" (known: ${[...known].join(', ') || 'none'})` });
      }
    };
    for (const role of GENAI_ROLES) check(['roles', role], g.roles[role]);
    const fallbacks = new Map<string, { fallback: string; path: string[] }>();
    if (direct && g.fallback !== undefined) fallbacks.set('default', { fallback: g.fallback, path: ['fallback'] });
    for (const [name, p] of Object.entries(g.providers)) if (p.fallback !== undefined) fallbacks.set(name, { fallback: p.fallback, path: ['providers', name, 'fallback'] });
    const next = new Map([...fallbacks].map(([name, f]) => [name, f.fallback]));
    for (const [name, { fallback, path }] of fallbacks) {
      check(path, fallback);
      if (fallback === name) ctx.addIssue({ code: 'custom', path, message: 'a provider cannot be its own fallback' });
      else if (leadsBackTo(name, next)) ctx.addIssue({ code: 'custom', path, message: `the fallbacks go round in a circle (${cycleText(name, next)})` });
    }
    for (const [name, instance] of Object.entries(g.analyze_image.instances)) {
      check(['analyze_image', 'instances', name, 'vision'], instance.vision);
      check(['analyze_image', 'instances', name, 'text'], instance.text);
    }
    if (g.enabled && known.size === 0) {
      ctx.addIssue({ code: 'custom', path: ['enabled'], message: 'genai is enabled but no provider is configured (set genai.provider and genai.model, or genai.providers)' });
    }
  }, evenWithOtherIssues);

/** True when following fallbacks from `start` comes back to it. */
function leadsBackTo(start: string, fallbacks: ReadonlyMap<string, string>): boolean {
  const seen = new Set<string>();
  for (let next = fallbacks.get(start); next !== undefined && !seen.has(next); next = fallbacks.get(next)) {
    if (next === start) return true;
    seen.add(next);
  }
  return false;
}

function cycleText(start: string, fallbacks: ReadonlyMap<string, string>): string {
  const names = [start];
  for (let next = fallbacks.get(start); next !== undefined && next !== start && names.length <= fallbacks.size; next = fallbacks.get(next)) names.push(next);
  return [...names, start].join(' → ');
}

/** Per camera, as in Frigate. */
export const cameraGenaiSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    ...promptFields,
    /** Only events with these labels are described (default: all). */
    objects: labelListSchema.optional(),
    /** Only events in (or crossing) one of these zones/tripwires are described. */
    required_zones: z.array(z.string().min(1)).default([]),
    /** Describe the snapshot (boxes drawn) instead of clean key frames. */
    use_snapshot: z.boolean().default(false),
  })
  .prefault({});

export type GenaiConfig = z.output<typeof genaiSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type CameraGenaiConfig = z.output<typeof cameraGenaiSchema>;
