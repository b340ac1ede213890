import { VigilError } from '../../../../domain/errors.ts';
import type { EmbedResult, GenerateRequest, GenerateResult, LlmProvider } from '../../../../ports/llm-provider.ts';
import type { Logger } from '../../../../ports/logger.ts';
import type { ProviderRegistry, RequestPriority } from '../../provider-registry.ts';

/** What the fake does with one call: reply with text, fail, or never answer (ignoring the abort). */
export type Reply = { text: string } | { json: unknown } | { error: unknown } | { never: true };

/** An answers model that replies as scripted and records every request. */
export class FakeAnswersProvider implements LlmProvider {
  readonly name = 'answers_llm';
  readonly kind = 'ollama' as const;
  readonly model = 'qwen:test';
  readonly requests: GenerateRequest[] = [];

  constructor(public reply: Reply) {}

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    this.requests.push(request);
    const reply = this.reply;
    if ('never' in reply) return new Promise<GenerateResult>(() => {});
    if ('error' in reply) throw reply.error;
    return { text: 'text' in reply ? reply.text : JSON.stringify(reply.json), model: this.model, usage: {} };
  }

  async embed(): Promise<EmbedResult> {
    throw new VigilError('provider_bad_request', 'no embeddings here');
  }
}

/** A registry holding one provider, recording the contexts it was asked for. */
export function registryOf(provider: LlmProvider): ProviderRegistry & { contexts: Array<{ priority: RequestPriority; camera?: string }> } {
  const contexts: Array<{ priority: RequestPriority; camera?: string }> = [];
  return {
    contexts,
    names: () => [provider.name],
    get: (name, context) => {
      contexts.push(context);
      return name === provider.name ? provider : undefined;
    },
  };
}

/** A logger keeping what was logged, children included. */
export function recordingLogger(): Logger & { records: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> } {
  const records: Array<{ level: string; obj: Record<string, unknown>; msg?: string }> = [];
  const at =
    (level: string, bindings: Record<string, unknown>) =>
    (obj: object, msg?: string): void => {
      records.push({ level, obj: { ...bindings, ...obj }, ...(msg !== undefined ? { msg } : {}) });
    };
  const make = (bindings: Record<string, unknown>): Logger => ({
    debug: at('debug', bindings),
    info: at('info', bindings),
    warn: at('warn', bindings),
    error: at('error', bindings),
    child: (more) => make({ ...bindings, ...more }),
  });
  return Object.assign(make({}), { records });
}
