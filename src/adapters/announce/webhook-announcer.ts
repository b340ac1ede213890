import { createHmac } from 'node:crypto';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
 * retries; a failing receiver is logged, never allowed to fail the analysis, and its connection is
 * closed when an attempt ends.
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
      try {
        const status = await postOnce(hook.url, body, {
          'content-type': 'application/json',
          'x-vigil-event': topic,
          'x-vigil-timestamp': timestamp,
          'x-vigil-signature': signWebhook(hook.secret, timestamp, body),
        }, timeoutMs);
        if (status >= 200 && status < 300) return true;
        if (status < 500 && status !== 429) {
          this.options.logger.warn({ webhook: redactUrlCredentials(hook.url), status }, 'webhook refused the announcement');
          return false;
        }
      } catch (error) {
        this.options.logger.warn({ webhook: redactUrlCredentials(hook.url), attempt, err: error instanceof Error ? error.message : String(error) }, 'webhook delivery failed');
      }
      if (attempt < attempts) await sleep(500 * 2 ** (attempt - 1));
    }
    this.options.logger.error({ webhook: redactUrlCredentials(hook.url) }, 'webhook gave up after retries');
    return false;
  }
}

/**
 * One POST on its own connection, closed as soon as the attempt ends: on the answer's status
 * (its body is not wanted), on an error, or when `timeoutMs` passes without an answer. Not
 * fetch: an aborted fetch leaves connections its pool opened meanwhile idle at the receiver, so a
 * receiver that never answers kept sockets open after Vigil had given up. Redirects are not
 * followed (a 3xx counts as a refusal): a signed announcement goes where it was configured to.
 */
function postOnce(url: string, body: string, headers: OutgoingHttpHeaders, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(target, { method: 'POST', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) } });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('response', (response) => {
      clearTimeout(timer);
      resolve(response.statusCode ?? 0);
      response.destroy();
      request.destroy();
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(body);
  });
}
