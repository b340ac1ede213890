import { VigilError } from '../../../../domain/errors.ts';
import type { EmbedResult, GenerateRequest, GenerateResult, LlmProvider } from '../../../../ports/llm-provider.ts';
import type { ProviderRegistry } from '../../provider-registry.ts';
import type { EventDescription } from '../description-schema.ts';

/** A valid description in English and Traditional Chinese mentioning `clothing` everywhere it fits. */
export function validDescription(clothing: string): EventDescription {
  return {
    scene: 'A driveway at night.',
    actions: ['p3 walks to the door carrying a parcel.'],
    attributes: {
      people: [{ id: 'p3', clothing_colors: [clothing, 'dark trousers'], clothing: 'hoodie', carrying: ['parcel'] }],
      vehicles: [{ id: 'v1', type: 'van', color: 'white' }],
    },
    suspicion: { score: 10, reasons: ['looks like a delivery'] },
    uncertain: ['the face is not visible'],
    summaries: { en: `A person in ${clothing} delivers a parcel.`, 'zh-Hant': `一名穿著${clothing}的人送來包裹。` },
  };
}

/** What the scripted provider does with one call. */
export type Reply = { text: string } | { error: VigilError } | { hang: true };

/**
 * A provider whose answer to each call is decided by `answer`, recording every request; a
 * hanging call waits until `release()` (a worker killed mid-call).
 */
export class ScriptedProvider implements LlmProvider {
  readonly name = 'local_vlm';
  readonly kind = 'ollama' as const;
  readonly model = 'llava:test';
  readonly requests: GenerateRequest[] = [];
  private readonly hanging: Array<() => void> = [];

  constructor(public answer: (request: GenerateRequest, call: number) => Reply) {}

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.requests.push(request);
    const reply = this.answer(request, this.requests.length - 1);
    if ('hang' in reply) await new Promise<void>((resolve) => this.hanging.push(resolve));
    if ('error' in reply) throw reply.error;
    return { text: 'text' in reply ? reply.text : JSON.stringify(validDescription('late')), model: this.model, usage: {} };
  }

  async embed(): Promise<EmbedResult> {
    throw new VigilError('provider_bad_request', 'no embeddings here');
  }

  /** Lets every hanging call return (a valid description). */
  release(): void {
    for (const resolve of this.hanging.splice(0)) resolve();
  }
}

export const down = (): Reply => ({ error: new VigilError('provider_unavailable', 'connection refused', { retryable: true }) });

/** A registry with one provider, recording the contexts it was asked for. */
export function registryOf(provider: LlmProvider): ProviderRegistry & { contexts: Array<{ priority: string; camera?: string }> } {
  const contexts: Array<{ priority: string; camera?: string }> = [];
  return {
    contexts,
    names: () => [provider.name],
    get: (name, context) => {
      contexts.push(context);
      return name === provider.name ? provider : undefined;
    },
  };
}
