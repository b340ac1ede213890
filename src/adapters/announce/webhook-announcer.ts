import { createHmac } from 'node:crypto';
import { redactUrlCredentials } from '../../domain/redact.ts';
import type { Announcer, ImageAnalysis } from '../../ports/image-analysis-store.ts';
import type { Logger } from '../../ports/logger.ts';

export interface Webhook {
  url: string;
  secret: string;
}

/** `sha256=<hex HMAC of "<timestamp>.<body>">`: the timestamp is signed too, so a captured call cannot be replayed later. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs every announcement as JSON to the configured webhooks, signed with HMAC-SHA256
 * (X-Vigil-Signature over X-Vigil-Timestamp and the body). Delivery is best effort with a few
 * retries; a failing receiver is logged, never allowed to fail the analysis.
 */
export class WebhookAnnouncer implements Announcer {
  constructor(
    private readonly hooks: readonly Webhook[],
    private readonly options: { logger: Logger; timeoutMs?: number; attempts?: number; now?: () => number; sleep?: (ms: number) => Promise<void> },
  ) {}

  announce(topic: 'image_analyzed', payload: ImageAnalysis): void {
    for (const hook of this.hooks) void this.deliver(hook, topic, payload);
  }

  /** Resolves once delivered or given up; exposed for tests. */
  async deliver(hook: Webhook, topic: string, payload: ImageAnalysis): Promise<boolean> {
    const body = JSON.stringify({ event: topic, data: payload });
    const attempts = this.options.attempts ?? 3;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const timestamp = String(Math.floor((this.options.now ?? Date.now)() / 1000));
      // One controller per attempt, aborted when the attempt ends whatever happened: a receiver that
      // never answers (or never finishes its body) must not keep the connection open after we gave up.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      try {
        const response = await fetch(hook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-vigil-event': topic, 'x-vigil-timestamp': timestamp, 'x-vigil-signature': signWebhook(hook.secret, timestamp, body) },
          body,
          signal: controller.signal,
        });
        if (response.ok) return true;
        if (response.status < 500 && response.status !== 429) {
          this.options.logger.warn({ webhook: redactUrlCredentials(hook.url), status: response.status }, 'webhook refused the announcement');
          return false;
        }
      } catch (error) {
        const reason = controller.signal.aborted ? controller.signal.reason : error;
        this.options.logger.warn({ webhook: redactUrlCredentials(hook.url), attempt, err: reason instanceof Error ? reason.message : String(reason) }, 'webhook delivery failed');
      } finally {
        clearTimeout(timer);
        // The answer's body is never read; aborting drops it and closes the request if it is still open.
        controller.abort();
      }
      if (attempt < attempts) await sleep(500 * 2 ** (attempt - 1));
    }
    this.options.logger.error({ webhook: redactUrlCredentials(hook.url) }, 'webhook gave up after retries');
    return false;
  }
}
