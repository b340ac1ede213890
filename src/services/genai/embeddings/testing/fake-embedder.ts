import { VigilError } from '../../../../domain/errors.ts';
import type { EmbedResult, GenerateResult, LlmProvider } from '../../../../ports/llm-provider.ts';

/**
 * A toy multilingual embedding: one dimension per concept, counting the concept's words in
 * either language, plus a small constant one so that no text maps to the zero vector. Texts
 * about the same thing in other words ("parcel", "package", 「快遞」) land on the same direction,
 * which keyword search cannot see.
 */
export const CONCEPTS: Readonly<Record<string, readonly string[]>> = {
  delivery: ['parcel', 'package', 'courier', 'deliver', '包裹', '快遞', '送貨'],
  vehicle: ['car', 'truck', 'van', '汽車', '貨車'],
  animal: ['dog', 'cat', '狗', '貓'],
};

export function conceptVector(text: string): number[] {
  const lower = text.toLowerCase();
  return [...Object.values(CONCEPTS).map((words) => words.filter((w) => lower.includes(w)).length), 0.1];
}

/** What the scripted embedder does with one call. */
export type EmbedReply = { ok: true } | { error: VigilError } | { hang: true };

export const up = (): EmbedReply => ({ ok: true });
export const down = (): EmbedReply => ({ error: new VigilError('provider_unavailable', 'connection refused', { retryable: true }) });

/**
 * An embeddings provider whose answer to each call is decided by `answer`, recording every call;
 * a hanging call waits until `release()` (a worker killed mid-call), then answers.
 */
export class ScriptedEmbedder implements LlmProvider {
  readonly name = 'local_embed';
  readonly kind = 'ollama' as const;
  readonly model = 'bge-m3';
  readonly calls: Array<{ texts: string[]; outcome: 'ok' | 'error' }> = [];
  private readonly hanging: Array<() => void> = [];

  constructor(
    public answer: (texts: readonly string[], call: number) => EmbedReply = up,
    public embedText: (text: string) => number[] = conceptVector,
  ) {}

  async generate(): Promise<GenerateResult> {
    throw new VigilError('provider_bad_request', 'no text generation here');
  }

  async embed(texts: readonly string[]): Promise<EmbedResult> {
    const reply = this.answer(texts, this.calls.length);
    const call = { texts: [...texts], outcome: 'ok' as 'ok' | 'error' };
    this.calls.push(call);
    if ('hang' in reply) await new Promise<void>((resolve) => this.hanging.push(resolve));
    if ('error' in reply) {
      call.outcome = 'error';
      throw reply.error;
    }
    return { vectors: texts.map((t) => this.embedText(t)), model: this.model, usage: { inputTokens: texts.length } };
  }

  /** Texts of the calls that answered. */
  embedded(): string[] {
    return this.calls.filter((c) => c.outcome === 'ok').flatMap((c) => c.texts);
  }

  release(): void {
    for (const resolve of this.hanging.splice(0)) resolve();
  }
}
