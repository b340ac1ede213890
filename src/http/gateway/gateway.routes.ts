import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isVigilError, VigilError } from '../../domain/errors.ts';
import { toVigilError } from '../http-error.ts';
import type { GatewayKey } from '../../ports/gateway-store.ts';
import type { Logger } from '../../ports/logger.ts';
import type { ChatSession } from '../../services/gateway/chat-session.ts';
import type { GatewayService } from '../../services/gateway/gateway.service.ts';
import { anthropicError } from './anthropic/anthropic-errors.ts';
import { gatherAnthropicMessage } from './anthropic/anthropic-message.ts';
import { countTokensResponse, parseAnthropicRequest, parseCountTokensRequest } from './anthropic/anthropic-request.ts';
import { anthropicErrorEvent, anthropicPing, encodeAnthropicStream, formatSseEvent } from './anthropic/anthropic-stream.ts';
import { gatherOpenAiChatCompletion } from './openai/openai-chat-response.ts';
import { parseOpenAiChatRequest } from './openai/openai-chat-request.ts';
import { openAiChatSse } from './openai/openai-chat-stream.ts';
import { parseOpenAiEmbeddingsRequest, openAiEmbeddingsResponse } from './openai/openai-embeddings.ts';
import { openAiError } from './openai/openai-errors.ts';
import { openAiModelList } from './openai/openai-models.ts';
import { newChatCompletionId, unixSeconds } from './openai/openai-wire.ts';
import { SSE_COMMENT_HEARTBEAT, sseResponse } from './sse-response.ts';

export interface GatewayRoutesDeps {
  gateway: GatewayService;
  /** The largest request body (`gateway.max_body_mb`): images come base64 inside it. */
  maxBodyBytes: number;
  logger: Logger;
  now: () => number;
  /** A stream silent this long gets a keep-alive (Anthropic's ping, an SSE comment for OpenAI); default 15 s. */
  heartbeatMs?: number;
  /** A client that reads nothing for this long while its answer waits is dropped, freeing the model slot; default 60 s. */
  stalledMs?: number;
}

/** Long enough to cost nothing, short enough for proxies that close idle connections after 30-60 s. */
const DEFAULT_HEARTBEAT_MS = 15_000;
/** Far beyond any reading client's pause, short against a GPU slot held for nobody. */
const DEFAULT_STALLED_MS = 60_000;

type Env = { Variables: { key: GatewayKey; requestId: string } };

/** Anthropic's paths answer in Anthropic's error shape; every other gateway path in OpenAI's. */
const isAnthropicPath = (path: string) => path.startsWith('/v1/messages');

/**
 * The gateway's HTTP face, mounted at the server root: Anthropic's Messages API (what Claude Code
 * speaks) and OpenAI's chat completions, embeddings and models. A key is required on every
 * address, checked before any body is read; errors answer in the protocol the client speaks.
 */
export function gatewayRoutes(deps: GatewayRoutesDeps): Hono<Env> {
  const { gateway, logger } = deps;
  const heartbeatMs = deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const stalledMs = deps.stalledMs ?? DEFAULT_STALLED_MS;
  const log = logger.child({ module: 'gateway-http' });
  const app = new Hono<Env>();

  app.onError((error, c) => {
    const known = toVigilError(error);
    if (known.code === 'internal' || known.code === 'config_invalid') log.error({ err: isVigilError(error) ? error.cause ?? error : error, path: c.req.path }, 'gateway request failed');
    const requestId = c.get('requestId');
    const answer = isAnthropicPath(c.req.path) ? anthropicError(known, requestId) : openAiError(known);
    return c.json(answer.body, answer.status as 400, answer.headers);
  });

  app.use('/v1/*', async (c, next) => {
    c.set('requestId', `req_${globalThis.crypto.randomUUID().replace(/-/g, '')}`);
    const bearer = c.req.header('authorization');
    const secret = c.req.header('x-api-key') ?? (bearer?.startsWith('Bearer ') ? bearer.slice(7).trim() : undefined);
    const key = await gateway.authenticate(secret);
    c.set('key', key);
    // A key at its per-minute or at-once limit is refused before its body (up to max_body_mb) is read.
    if (c.req.method === 'POST') gateway.precheck(key);
    await next();
    c.header('request-id', c.get('requestId'));
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new VigilError('too_large', `the request body is larger than ${deps.maxBodyBytes} bytes (gateway.max_body_mb)`);
      },
    }),
  );

  app.post('/v1/messages', async (c) => {
    const parsed = parseAnthropicRequest(await jsonBody(c));
    const session = await gateway.chat({ key: c.get('key'), clientModel: parsed.clientModel, request: parsed.request, maxTokens: parsed.maxTokens, signal: c.req.raw.signal });
    // Backends report reasoning whenever the model produces it; a client that did not ask for thinking gets none.
    return answerOrCancel(session, async () => {
      const options = { clientModel: parsed.clientModel, inputTokensEstimate: session.promptTokens, showThinking: parsed.showThinking && parsed.request.thinking === true };
      if (!parsed.stream) return c.json(await gatherAnthropicMessage(session, options));
      const requestId = c.get('requestId');
      async function* body(): AsyncGenerator<string> {
        try {
          for await (const event of encodeAnthropicStream(session, options)) yield formatSseEvent(event);
        } catch (error) {
          const known = toVigilError(error);
          if (known.code !== 'aborted') log.warn({ code: known.code, model: parsed.clientModel }, 'gateway stream failed after it began');
          yield formatSseEvent(anthropicErrorEvent(known, requestId));
        }
      }
      return sseResponse(body(), () => session.cancel('the client closed the connection'), { text: formatSseEvent(anthropicPing()), everyMs: heartbeatMs, stalledMs });
    });
  });

  app.post('/v1/messages/count_tokens', async (c) => {
    const parsed = parseCountTokensRequest(await jsonBody(c));
    return c.json(countTokensResponse(gateway.countTokens(parsed.request)));
  });

  app.post('/v1/chat/completions', async (c) => {
    const parsed = parseOpenAiChatRequest(await jsonBody(c));
    const session = await gateway.chat({ key: c.get('key'), clientModel: parsed.clientModel, request: parsed.request, maxTokens: parsed.maxTokens, signal: c.req.raw.signal });
    return answerOrCancel(session, async () => {
      const meta = { id: newChatCompletionId(), created: unixSeconds(deps.now()), model: parsed.clientModel };
      if (!parsed.stream) return c.json(await gatherOpenAiChatCompletion(session, meta));
      const onError = (error: unknown) => {
        const known = toVigilError(error);
        if (known.code !== 'aborted') log.warn({ code: known.code, model: parsed.clientModel }, 'gateway stream failed after it began');
      };
      return sseResponse(openAiChatSse(session, meta, { includeUsage: parsed.includeUsage, onError }), () => session.cancel('the client closed the connection'), {
        text: SSE_COMMENT_HEARTBEAT,
        everyMs: heartbeatMs,
        stalledMs,
      });
    });
  });

  app.post('/v1/embeddings', async (c) => {
    const parsed = parseOpenAiEmbeddingsRequest(await jsonBody(c));
    const result = await gateway.embed({ key: c.get('key'), clientModel: parsed.clientModel, texts: parsed.inputs, signal: c.req.raw.signal });
    // Named by the model that made the vectors, whatever name was asked for: vectors of two models do not mix.
    return c.json(openAiEmbeddingsResponse({ model: result.model, vectors: result.vectors, promptTokens: result.inputTokens, encodingFormat: parsed.encodingFormat }));
  });

  app.get('/v1/models', (c) => {
    const names = gateway.models(c.get('key'));
    if (c.req.header('anthropic-version') !== undefined) {
      // Anthropic's list shape, for clients that speak its API (they send anthropic-version).
      const data = names.map((id) => ({ type: 'model', id, display_name: id, created_at: new Date(0).toISOString() }));
      return c.json({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
    }
    return c.json(openAiModelList(names, { created: 0 }));
  });

  app.all('/v1/*', () => {
    throw new VigilError('not_found', 'no such gateway endpoint (POST /v1/messages, /v1/messages/count_tokens, /v1/chat/completions, /v1/embeddings; GET /v1/models)');
  });
  return app;
}

/**
 * Builds the answer from a session that holds a model slot; if that throws before the answer
 * owns the session (the stream's cancel, or the gathering's end), the slot is freed here.
 */
async function answerOrCancel(session: ChatSession, answer: () => Promise<Response>): Promise<Response> {
  try {
    return await answer();
  } catch (error) {
    session.cancel('the answer could not be sent');
    throw error;
  }
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (error) {
    if (isVigilError(error)) throw error;
    throw new VigilError('invalid_argument', 'the request body is not valid JSON', { cause: error });
  }
}
