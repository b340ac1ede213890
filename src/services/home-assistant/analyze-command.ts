import { isVigilError } from '../../domain/errors.ts';
import type { Logger } from '../../ports/logger.ts';
import type { MessageBus } from '../../ports/message-bus.ts';
import type { AnalyzeImageService } from '../genai/analyze-image.service.ts';
import { analyzeBodySchema, analyzeRequestFromBody, resolveHomeAssistantUrl } from '../genai/analyze-request.ts';

export interface AnalyzeCommandDeps {
  bus: MessageBus;
  analyzeImage: Pick<AnalyzeImageService, 'analyze'>;
  topicPrefix: string;
  /** Home Assistant's address (home_assistant.url): `/api/camera_proxy/...`, `/local/...` and `www/...` image URLs are relative to it. */
  homeAssistantUrl?: string;
  logger: Logger;
}

/**
 * `<prefix>/analyze` takes the body of `POST /api/analyze` (Ollama Vision's service fields); the
 * result is announced like any analysis (on `<prefix>/image_analyzed`, the SSE stream, webhooks).
 * A request that cannot be done is answered on `<prefix>/analyze/error` with its image_name.
 */
export class AnalyzeCommand {
  private stop: (() => Promise<void>) | undefined;
  private readonly log: Logger;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: AnalyzeCommandDeps) {
    this.log = deps.logger.child({ module: 'mqtt-analyze' });
  }

  get topic(): string {
    return `${this.deps.topicPrefix}/analyze`;
  }

  async start(): Promise<void> {
    this.stop = await this.deps.bus.subscribe(this.topic, (message) => {
      // Retained commands would run again on every restart.
      if (message.retained) return;
      const job = this.handle(new TextDecoder().decode(message.payload));
      this.running.add(job);
      void job.finally(() => this.running.delete(job));
    });
  }

  async close(): Promise<void> {
    await this.stop?.();
    await Promise.allSettled([...this.running]);
  }

  async handle(text: string): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.refuse(undefined, 'invalid_argument', 'the payload is not JSON');
    }
    const parsed = analyzeBodySchema.safeParse(raw);
    const name = typeof raw === 'object' && raw !== null && typeof (raw as { image_name?: unknown }).image_name === 'string' ? (raw as { image_name: string }).image_name : undefined;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const message = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`;
      return this.refuse(name, 'invalid_argument', message);
    }
    try {
      const request = analyzeRequestFromBody(parsed.data);
      if (request.imageUrl !== undefined) request.imageUrl = resolveHomeAssistantUrl(request.imageUrl, this.deps.homeAssistantUrl);
      await this.deps.analyzeImage.analyze(request);
    } catch (error) {
      const code = isVigilError(error) ? error.code : 'internal';
      return this.refuse(name, code, error instanceof Error ? error.message : String(error));
    }
  }

  private async refuse(imageName: string | undefined, code: string, message: string): Promise<void> {
    this.log.warn({ imageName, code, reason: message }, 'analyze command refused');
    const body = JSON.stringify({ image_name: imageName ?? null, error: { code, message } });
    await this.deps.bus.publish(`${this.topic}/error`, body, { qos: 1 }).catch((error: unknown) => this.log.warn({ err: error }, 'could not publish the error'));
  }
}
