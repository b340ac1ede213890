import { VigilError } from '../../../../domain/errors.ts';
import type { EmbedResult, GenerateRequest, GenerateResult, LlmProvider, LlmUsage, ProviderKind } from '../../../../ports/llm-provider.ts';
import type { FakeTimer } from './fake-timer.ts';

/** What the fake does with one call. */
export interface ScriptStep {
  latencyMs?: number;
  error?: unknown;
  text?: string;
  usage?: LlmUsage;
  /** Behave like a provider that does not honour AbortSignal. */
  ignoreAbort?: boolean;
}

export interface FakeCall {
  label: string;
  startedAt: number;
  signal: AbortSignal | undefined;
  outcome?: 'ok' | 'error' | 'aborted';
}

export type Script = (call: number, label: string) => ScriptStep;

/** A provider with scripted latencies and failures that takes its time from a FakeTimer. */
export class FakeLlmProvider implements LlmProvider {
  readonly name: string;
  readonly kind: ProviderKind;
  readonly model = 'fake-model';
  readonly calls: FakeCall[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly timer: FakeTimer,
    private readonly script: Script = () => ({}),
    options: { name?: string; kind?: ProviderKind } = {},
  ) {
    this.name = options.name ?? 'local_vlm';
    this.kind = options.kind ?? 'ollama';
  }

  /** Started calls by label, in the order they reached the provider. */
  get order(): string[] {
    return this.calls.map((c) => c.label);
  }

  async generate(request: GenerateRequest): Promise<GenerateResult> {
    const step = await this.#run(request.prompt, request.signal);
    return { text: step.text ?? `answer to ${request.prompt}`, model: this.model, usage: step.usage ?? {} };
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<EmbedResult> {
    const step = await this.#run(`embed:${texts.join('|')}`, options?.signal);
    return { vectors: texts.map(() => [1, 0]), model: this.model, usage: step.usage ?? {} };
  }

  async #run(label: string, signal: AbortSignal | undefined): Promise<ScriptStep> {
    const step = this.script(this.calls.length, label);
    const call: FakeCall = { label, startedAt: this.timer.now(), signal };
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.timer.wait(step.latencyMs ?? 10, step.ignoreAbort ? undefined : signal);
      if (step.error !== undefined) throw step.error;
      call.outcome = 'ok';
      return step;
    } catch (error) {
      call.outcome = error instanceof VigilError && error.code === 'aborted' ? 'aborted' : 'error';
      throw error;
    } finally {
      this.inFlight--;
    }
  }
}

/** Script helper: steps in order, then `rest` for every call after them. */
export function steps(list: readonly ScriptStep[], rest: ScriptStep = {}): Script {
  return (call) => list[call] ?? rest;
}

export const fail = (code: VigilError['code'], retryAfterMs?: number): VigilError =>
  new VigilError(code, `scripted ${code}`, {
    retryable: code !== 'provider_auth' && code !== 'provider_bad_request',
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
