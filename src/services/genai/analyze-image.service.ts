import { VigilError } from '../../domain/errors.ts';
import type { ImageAnalysis, ImageAnalysisStore, Announcer } from '../../ports/image-analysis-store.ts';
import type { ImageFetcher } from '../../ports/image-fetcher.ts';
import type { ImagePreparer } from '../../ports/image-preparer.ts';
import type { Clock } from '../../ports/logger.ts';
import { resolveHomeAssistantUrl } from './analyze-request.ts';
import { languageInstruction, type OutputLanguage } from './output-language.ts';
import type { ProviderRegistry } from './provider-registry.ts';

export interface AnalyzeImageInstance {
  vision: string;
  text?: string;
  prompt?: string;
  textPrompt?: string;
}

export interface AnalyzeImageRequest {
  imageUrl?: string;
  image?: { data: Uint8Array };
  imageName: string;
  prompt?: string;
  instance?: string;
  /** Ollama Vision's `device_id`: the instance of that name when there is one, else the default. */
  deviceId?: string;
  useTextModel?: boolean;
  textPrompt?: string;
  signal?: AbortSignal;
}

export interface AnalyzeImageDeps {
  fetcher: ImageFetcher;
  preparer: ImagePreparer;
  providers: ProviderRegistry;
  /** Named vision (+ text) model pairs; the first is the default. */
  instances: ReadonlyArray<[string, AnalyzeImageInstance]>;
  store: ImageAnalysisStore;
  announcer: Announcer;
  clock: Clock;
  language: OutputLanguage;
  imageMaxSize: number;
  /** Home Assistant's address (home_assistant.url): image URLs relative to it are taken. */
  homeAssistantUrl?: string;
}

export const DEFAULT_VISION_PROMPT =
  'Describe what this security camera image shows in one or two sentences: people, vehicles, animals and what they are doing. Do not speculate beyond what is visible.';
export const DEFAULT_TEXT_PROMPT = 'Rewrite this camera image description as one short, friendly notification sentence: {description}';
/** Any name Ollama Vision takes (its slug names the sensor); control characters aside. */
const IMAGE_NAME = /^[^\p{Cc}]{1,255}$/u;

const invalid = (message: string) => new VigilError('invalid_argument', message);

/**
 * What Home Assistant's Ollama Vision does, done with Vigil's queues and limits: describe an
 * image by URL or upload, optionally rewrite the description with a text model whose prompt
 * embeds {description}, keep the latest result per image name, and announce it.
 */
export class AnalyzeImageService {
  constructor(private readonly deps: AnalyzeImageDeps) {}

  instanceNames(): string[] {
    return this.deps.instances.map(([name]) => name);
  }

  async analyze(request: AnalyzeImageRequest): Promise<ImageAnalysis> {
    const { name, instance } = this.resolve(request);
    const textPrompt = request.textPrompt ?? instance.textPrompt ?? DEFAULT_TEXT_PROMPT;
    // As Ollama Vision: the text model is used when asked for and the instance has one; otherwise
    // the vision model's description is the final one (used_text_model: false), not an error.
    const useText = (request.useTextModel ?? false) && instance.text !== undefined;
    const imageUrl = request.imageUrl === undefined ? undefined : resolveHomeAssistantUrl(request.imageUrl, this.deps.homeAssistantUrl);

    const vision = this.provider(instance.vision);
    const raw = request.image ?? (await this.deps.fetcher.fetch(imageUrl!, request.signal ? { signal: request.signal } : {}));
    const image = await this.deps.preparer.prepare(raw, this.deps.imageMaxSize);
    const prompt = request.prompt ?? instance.prompt ?? DEFAULT_VISION_PROMPT;
    const signal = request.signal ? { signal: request.signal } : {};
    const described = await vision.generate({ system: languageInstruction(this.deps.language), prompt, images: [image], ...signal });
    const description = described.text.trim();

    let finalDescription = description;
    let textModel: string | null = null;
    // The prompt the text model gets, {description} filled in (without the placeholder, the
    // description follows the prompt); it is what the event and the sensor show, as Ollama Vision's do.
    const filledPrompt = textPrompt.includes('{description}') ? textPrompt.split('{description}').join(description) : `${textPrompt}\n\n${description}`;
    if (useText && instance.text) {
      const text = this.provider(instance.text);
      const rewritten = await text.generate({ system: languageInstruction(this.deps.language), prompt: filledPrompt, ...signal });
      finalDescription = rewritten.text.trim();
      textModel = rewritten.model;
    }
    const analysis: ImageAnalysis = {
      instance: name,
      image_name: request.imageName,
      image_url: imageUrl ?? null,
      prompt,
      description,
      used_text_model: useText,
      text_prompt: useText ? filledPrompt : null,
      final_description: finalDescription,
      created_at: new Date(this.deps.clock.now()).toISOString(),
      model: described.model,
      text_model: textModel,
    };
    await this.deps.store.save(analysis);
    this.deps.announcer.announce('image_analyzed', analysis);
    return analysis;
  }

  latest(imageName: string): Promise<ImageAnalysis | undefined> {
    return this.deps.store.latest(imageName);
  }

  private resolve(request: AnalyzeImageRequest): { name: string; instance: AnalyzeImageInstance } {
    if (!IMAGE_NAME.test(request.imageName) || request.imageName.trim() === '') throw invalid('image_name must be 1-255 characters, without control characters');
    if ((request.imageUrl === undefined) === (request.image === undefined)) throw invalid('give either image_url or an uploaded image, not both or neither');
    const instances = this.deps.instances;
    if (instances.length === 0) {
      throw new VigilError('invalid_argument', 'analyze_image is not configured: add genai.analyze_image.instances (or a genai provider) to the configuration');
    }
    // Ollama Vision's device_id names a Home Assistant device; here it picks the instance of that
    // name, and like Ollama Vision falls back to the first instance when none matches.
    const byDevice = request.deviceId === undefined ? undefined : instances.find(([n]) => n === request.deviceId);
    const found = request.instance === undefined ? (byDevice ?? instances[0]) : instances.find(([n]) => n === request.instance);
    if (!found) throw invalid(`unknown instance "${request.instance}" (configured: ${instances.map(([n]) => n).join(', ')})`);
    return { name: found[0], instance: found[1] };
  }

  private provider(name: string) {
    const provider = this.deps.providers.get(name, { priority: 'interactive' });
    if (!provider) throw new VigilError('invalid_argument', `provider "${name}" is not configured`);
    return provider;
  }
}
