/**
 * A local stand-in for the users' model servers: it speaks Ollama's native API and OpenAI's
 * chat-completions API on one port, answering each chat request with the next scripted turn, so
 * the gateway's backends, its end-to-end tests (Claude Code -> gateway -> this) and benchmarks run
 * the real client path (fetch, NDJSON / SSE framing, timeouts, disconnects) without a model.
 *
 *   Ollama   POST /api/chat (NDJSON stream, or one JSON with "stream": false; streams by default)
 *            POST /api/embed, GET /api/tags, GET /api/version
 *   OpenAI   POST /v1/chat/completions (SSE with `data: [DONE]`, or one JSON unless "stream": true;
 *            a usage chunk when stream_options.include_usage), POST /v1/embeddings, GET /v1/models;
 *            Azure's POST /openai/deployments/{deployment}/chat/completions alike (model from the URL)
 *
 * Example:
 *
 *   const server = await startFakeModelServer({ maxConcurrent: 1 });
 *   server.script(
 *     { thinking: ['Let me', ' think'], text: ['Hel', 'lo'] },
 *     { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
 *     { status: 429, retryAfterS: 2 },
 *     { text: ['partial'], hang: true },            // headers and one chunk, then silence
 *   );
 *   // Ollama backend: baseUrl server.url; OpenAI-compatible backend: baseUrl server.openAiUrl
 *   await server.waitForDisconnect(3);              // the 4th request's client went away
 *   server.requests[0]?.body                        // the parsed JSON the client sent
 *   server.stats.maxActive                          // most requests generating at once
 *   await server.close();
 *
 * Turns are shared by both chat endpoints, first come first served; when the queue is empty the
 * default turn answers (a short greeting, or `options.defaultTurn`). A turn may be a function of
 * the request, e.g. to echo the prompt. Usage is made up unless given: input = prompt characters / 4,
 * output = number of text, thinking and tool call chunks.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /** OpenAI always has one (generated when left out); Ollama sends it only when given here. */
  id?: string;
}

export interface FakeTurn {
  /** Answer text, one stream chunk each. */
  text?: string[];
  /** Reasoning, streamed before the text. */
  thinking?: string[];
  /**
   * How reasoning is delivered: 'field' (Ollama message.thinking, OpenAI delta.reasoning_content),
   * 'reasoning' (OpenAI delta.reasoning, as vLLM and Ollama's /v1 send it) or 'tags' (inline
   * `<think>…</think>` in the content, as a server that does not parse it out). Default 'field'.
   */
  thinkingAs?: 'field' | 'reasoning' | 'tags';
  toolCalls?: FakeToolCall[];
  /** Ollama done_reason / OpenAI finish_reason; default stop (tool_calls on OpenAI when calls were made). */
  stopReason?: 'stop' | 'length';
  /** Token counts to report; null sends none (a server that ignores include_usage). */
  usage?: { input: number; output: number } | null;
  /** Answer with this HTTP status and the protocol's error body instead of a completion. */
  status?: number;
  retryAfterS?: number;
  errorMessage?: string;
  /** Reject a request that asks for thinking ("think": true), as Ollama does for models without it. */
  rejectThink?: boolean;
  /** Send the headers (and any scripted chunks), then nothing more until the client leaves. */
  hang?: boolean;
  /** Accept the request and never answer, not even headers. */
  hangBeforeHeaders?: boolean;
  /** A raw line sent after the scripted chunks, then the body ends (a broken server). */
  malformed?: string;
  /** An error reported inside the stream after the scripted chunks (Ollama {"error"}, OpenAI data: {"error"}). */
  streamError?: string;
  /** Pause before each chunk. */
  delayMs?: number;
}

export type TurnScript = FakeTurn | ((request: RecordedModelRequest) => FakeTurn);

export interface RecordedModelRequest {
  /** Position in `requests`, for waitForDisconnect. */
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined when there was none or it was not JSON). */
  body: unknown;
  /** The client closed the connection before the answer ended. */
  disconnected: boolean;
  /** The answer was sent to its end. */
  completed: boolean;
}

export interface FakeModelServerOptions {
  defaultTurn?: TurnScript;
  /** Requests generating at once, like OLLAMA_NUM_PARALLEL; the rest wait in line before any header. Default unlimited. */
  maxConcurrent?: number;
  /** Requests allowed to wait; past it 503 "server busy", like OLLAMA_MAX_QUEUE. Default unlimited. */
  maxQueue?: number;
  /** When set, a request without `Authorization: Bearer <apiKey>` gets 401. */
  apiKey?: string;
  /** Models the server has; a chat for another one gets 404 "not found". Default: any model. */
  models?: string[];
  /** Embedding length. Default 8. */
  embeddingDimensions?: number;
}

export interface FakeModelServer {
  /** Root URL, the Ollama base URL (no trailing slash). */
  readonly url: string;
  /** `${url}/v1`, the OpenAI-compatible base URL. */
  readonly openAiUrl: string;
  readonly requests: readonly RecordedModelRequest[];
  /** Requests to the chat endpoints only. */
  chatRequests(): RecordedModelRequest[];
  script(...turns: TurnScript[]): void;
  setDefaultTurn(turn: TurnScript): void;
  /** TCP connections accepted and closed so far. */
  readonly connections: { opened: number; closed: number; open: number };
  /** active: generating now; queued: waiting for a slot; maxActive: most at once so far. */
  readonly stats: { active: number; queued: number; maxActive: number };
  /** Resolves when the client of request `index` has gone away before the answer ended. */
  waitForDisconnect(index: number, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_TURN: FakeTurn = { text: ['Hello', ' from', ' the', ' fake', ' model', '.'] };

export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  const requests: RecordedModelRequest[] = [];
  const queue: TurnScript[] = [];
  let defaultTurn: TurnScript = options.defaultTurn ?? DEFAULT_TURN;
  const connections = { opened: 0, closed: 0, open: 0 };
  const stats = { active: 0, queued: 0, maxActive: 0 };
  const waiting: (() => void)[] = [];
  const disconnectWaiters = new Map<number, (() => void)[]>();

  const markDisconnected = (recorded: RecordedModelRequest) => {
    recorded.disconnected = true;
    for (const resolve of disconnectWaiters.get(recorded.index) ?? []) resolve();
    disconnectWaiters.delete(recorded.index);
  };

  const server = createServer((req, res) => {
    void readBody(req).then(async (text) => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const recorded: RecordedModelRequest = {
        index: requests.length,
        method: req.method ?? 'GET',
        path: url.pathname,
        headers: req.headers,
        body: parseJson(text),
        disconnected: false,
        completed: false,
      };
      requests.push(recorded);
      res.on('close', () => {
        if (!res.writableFinished) markDisconnected(recorded);
      });
      res.on('finish', () => {
        recorded.completed = true;
      });
      await route(recorded, res);
    });
  });
  server.on('connection', (socket) => {
    connections.opened += 1;
    connections.open += 1;
    socket.on('close', () => {
      connections.closed += 1;
      connections.open -= 1;
    });
  });

  const route = async (request: RecordedModelRequest, res: ServerResponse): Promise<void> => {
    const azure = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(request.path);
    const openAi = request.path.startsWith('/v1/') || azure !== null;
    const authorized = request.headers.authorization === `Bearer ${options.apiKey}` || request.headers['api-key'] === options.apiKey;
    if (options.apiKey !== undefined && !authorized) {
      return sendError(res, openAi, 401, openAi ? 'Incorrect API key provided.' : 'unauthorized');
    }
    const key = `${request.method} ${request.path}`;
    if (key === 'GET /api/tags') return sendJson(res, 200, { models: (options.models ?? ['fake-model']).map(ollamaModel) });
    if (key === 'GET /api/version') return sendJson(res, 200, { version: '0.12.0' });
    if (key === 'GET /v1/models') {
      return sendJson(res, 200, { object: 'list', data: (options.models ?? ['fake-model']).map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })) });
    }
    if (key === 'POST /api/embed' || key === 'POST /v1/embeddings') return embed(request, res, openAi, options.embeddingDimensions ?? 8);
    const chat = key === 'POST /api/chat' || key === 'POST /v1/chat/completions' || (azure !== null && request.method === 'POST');
    if (!chat) return sendError(res, openAi, 404, `404 page not found: ${key}`);

    const body = isRecord(request.body) ? request.body : {};
    // Azure names the deployment in the URL instead of the body.
    const model = azure?.[1] !== undefined ? decodeURIComponent(azure[1]) : typeof body['model'] === 'string' ? body['model'] : '';
    if (model === '' || !Array.isArray(body['messages'])) return sendError(res, openAi, 400, 'model and messages are required');
    if (options.models !== undefined && !options.models.includes(model)) {
      return sendError(res, openAi, 404, openAi ? `The model \`${model}\` does not exist.` : `model "${model}" not found, try pulling it first`);
    }
    if (options.maxQueue !== undefined && stats.queued >= options.maxQueue && stats.active >= (options.maxConcurrent ?? Infinity)) {
      return sendError(res, openAi, 503, 'server busy, please try again.  maximum pending requests exceeded');
    }
    if (!(await acquireSlot(res))) return;
    try {
      const script = queue.shift() ?? defaultTurn;
      const turn = typeof script === 'function' ? script(request) : script;
      await answerChat(turn, body, model, openAi, res);
    } finally {
      releaseSlot();
    }
  };

  /** Waits for a generation slot; false when the client left while waiting. */
  const acquireSlot = async (res: ServerResponse): Promise<boolean> => {
    const limit = options.maxConcurrent ?? Infinity;
    if (stats.active >= limit) {
      stats.queued += 1;
      const gone = await new Promise<boolean>((resolve) => {
        const go = () => resolve(false);
        const leave = () => {
          const at = waiting.indexOf(go);
          if (at >= 0) waiting.splice(at, 1);
          resolve(true);
        };
        waiting.push(go);
        res.once('close', leave);
      });
      stats.queued -= 1;
      if (gone) return false;
    }
    stats.active += 1;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    return true;
  };
  const releaseSlot = () => {
    stats.active -= 1;
    waiting.shift()?.();
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    openAiUrl: `${url}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/api/chat' || r.path.endsWith('/chat/completions')),
    script: (...turns) => {
      queue.push(...turns);
    },
    setDefaultTurn: (turn) => {
      defaultTurn = turn;
    },
    connections,
    stats,
    waitForDisconnect: (index, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (requests[index]?.disconnected) return resolve();
        const timer = setTimeout(() => reject(new Error(`fake-model-server: request ${index} was not disconnected within ${timeoutMs} ms`)), timeoutMs);
        const list = disconnectWaiters.get(index) ?? [];
        list.push(() => {
          clearTimeout(timer);
          resolve();
        });
        disconnectWaiters.set(index, list);
      }),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// ---- chat answers -------------------------------------------------------------------------------

interface Piece {
  kind: 'thinking' | 'text' | 'tool';
  text: string;
  call?: FakeToolCall;
  /** The call's id on OpenAI, which always has one. */
  callId?: string;
}

async function answerChat(turn: FakeTurn, body: Record<string, unknown>, model: string, openAi: boolean, res: ServerResponse): Promise<void> {
  if (turn.hangBeforeHeaders) return hangUntilClosed(res);
  if (turn.rejectThink && body['think'] === true) return sendError(res, openAi, 400, `"${model}" does not support thinking`);
  if (turn.status !== undefined && turn.status >= 400) {
    const headers: Record<string, string> = turn.retryAfterS === undefined ? {} : { 'retry-after': String(turn.retryAfterS) };
    return sendError(res, openAi, turn.status, turn.errorMessage ?? defaultErrorMessage(turn.status), headers);
  }
  const pieces = piecesOf(turn);
  const usage = turn.usage === undefined ? { input: Math.ceil(JSON.stringify(body['messages']).length / 4), output: pieces.length } : turn.usage;
  const stream = openAi ? body['stream'] === true : body['stream'] !== false;
  if (!stream) return sendJson(res, 200, openAi ? openAiCompletion(turn, pieces, model, usage) : ollamaCompletion(turn, pieces, model, usage));

  const write = async (record: string) => {
    if (turn.delayMs) await sleep(turn.delayMs);
    if (res.destroyed) return false;
    res.write(record);
    return true;
  };
  if (openAi) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const id = `chatcmpl-${Math.random().toString(36).slice(2, 12)}`;
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      sse({ id, object: 'chat.completion.chunk', created: 1_700_000_000, model, system_fingerprint: 'fp_fake', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    if (!(await write(chunk({ role: 'assistant', content: '' }, null)))) return;
    for (const record of pieces.flatMap((piece) => openAiDeltas(piece, turn, pieces).map((delta) => chunk(delta, null)))) {
      if (!(await write(record))) return;
    }
    if (await endOrBreak(turn, res, openAi, write)) return;
    const finish = turn.stopReason === 'length' ? 'length' : (turn.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop';
    if (!(await write(chunk({}, finish)))) return;
    const options = body['stream_options'];
    if (usage !== null && isRecord(options) && options['include_usage'] === true) {
      await write(sse({ id, object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [], usage: openAiUsage(usage) }));
    }
    if (await write('data: [DONE]\n\n')) res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  // Headers go out now, as a real server's do, so `hang` with no chunks is a stall after the headers.
  res.flushHeaders();
  const line = (message: Record<string, unknown>) => `${JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '', ...message }, done: false })}\n`;
  for (const piece of pieces) {
    if (!(await write(line(ollamaMessage(piece, turn, pieces))))) return;
  }
  if (await endOrBreak(turn, res, openAi, write)) return;
  const done = {
    model,
    created_at: new Date().toISOString(),
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: turn.stopReason ?? 'stop',
    total_duration: 1_000_000,
    load_duration: 100_000,
    ...(usage === null ? {} : { prompt_eval_count: usage.input, prompt_eval_duration: 200_000, eval_count: usage.output, eval_duration: 700_000 }),
  };
  if (await write(`${JSON.stringify(done)}\n`)) res.end();
}

/** The scripted ways a stream goes wrong after its chunks; true when the answer is over. */
async function endOrBreak(turn: FakeTurn, res: ServerResponse, openAi: boolean, write: (record: string) => Promise<boolean>): Promise<boolean> {
  if (turn.hang) {
    await hangUntilClosed(res);
    return true;
  }
  if (turn.malformed !== undefined) {
    if (await write(openAi ? `data: ${turn.malformed}\n\n` : `${turn.malformed}\n`)) res.end();
    return true;
  }
  if (turn.streamError !== undefined) {
    const record = openAi ? sse({ error: { message: turn.streamError, type: 'server_error', param: null, code: null } }) : `${JSON.stringify({ error: turn.streamError })}\n`;
    if (await write(record)) res.end();
    return true;
  }
  return false;
}

function piecesOf(turn: FakeTurn): Piece[] {
  const thinking = (turn.thinking ?? []).map((text): Piece => ({ kind: 'thinking', text }));
  const text = (turn.text ?? []).map((t): Piece => ({ kind: 'text', text: t }));
  const tools = (turn.toolCalls ?? []).map((call, i): Piece => ({ kind: 'tool', text: '', call, callId: call.id ?? `call_fake${i}` }));
  return [...thinking, ...text, ...tools];
}

/** In 'tags' mode reasoning travels as content wrapped in <think>…</think>. */
function tagged(piece: Piece, turn: FakeTurn, pieces: Piece[]): string {
  const thinking = pieces.filter((p) => p.kind === 'thinking');
  const first = thinking[0] === piece ? '<think>' : '';
  const last = thinking.at(-1) === piece ? '</think>\n\n' : '';
  return turn.thinkingAs === 'tags' && piece.kind === 'thinking' ? `${first}${piece.text}${last}` : piece.text;
}

function ollamaMessage(piece: Piece, turn: FakeTurn, pieces: Piece[]): Record<string, unknown> {
  if (piece.kind === 'tool' && piece.call) {
    const { id, name, arguments: args } = piece.call;
    return { tool_calls: [{ ...(id === undefined ? {} : { id }), function: { name, arguments: args } }] };
  }
  if (piece.kind === 'thinking' && turn.thinkingAs !== 'tags') return { thinking: piece.text };
  return { content: tagged(piece, turn, pieces) };
}

function openAiDeltas(piece: Piece, turn: FakeTurn, pieces: Piece[]): Record<string, unknown>[] {
  if (piece.kind === 'tool' && piece.call) {
    const index = pieces.filter((p) => p.kind === 'tool').indexOf(piece);
    const json = JSON.stringify(piece.call.arguments);
    const cut = Math.floor(json.length / 2);
    // OpenAI opens a call with its id and name, then streams the arguments JSON in fragments.
    return [
      { tool_calls: [{ index, id: piece.callId, type: 'function', function: { name: piece.call.name, arguments: '' } }] },
      { tool_calls: [{ index, function: { arguments: json.slice(0, cut) } }] },
      { tool_calls: [{ index, function: { arguments: json.slice(cut) } }] },
    ];
  }
  if (piece.kind === 'thinking' && turn.thinkingAs !== 'tags') {
    return [{ [turn.thinkingAs === 'reasoning' ? 'reasoning' : 'reasoning_content']: piece.text }];
  }
  return [{ content: tagged(piece, turn, pieces) }];
}

function ollamaCompletion(turn: FakeTurn, pieces: Piece[], model: string, usage: FakeTurn['usage']): Record<string, unknown> {
  const tags = turn.thinkingAs === 'tags';
  const thinking = pieces.filter((p) => p.kind === 'thinking').map((p) => p.text).join('');
  const text = pieces.filter((p) => p.kind === 'text').map((p) => p.text).join('');
  const calls = pieces.filter((p) => p.kind === 'tool').map((p) => ({ function: { name: p.call?.name, arguments: p.call?.arguments } }));
  return {
    model,
    created_at: new Date().toISOString(),
    message: {
      role: 'assistant',
      content: tags && thinking !== '' ? `<think>${thinking}</think>\n\n${text}` : text,
      ...(!tags && thinking !== '' ? { thinking } : {}),
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    },
    done: true,
    done_reason: turn.stopReason ?? 'stop',
    ...(usage === null || usage === undefined ? {} : { prompt_eval_count: usage.input, eval_count: usage.output }),
  };
}

function openAiCompletion(turn: FakeTurn, pieces: Piece[], model: string, usage: FakeTurn['usage']): Record<string, unknown> {
  const tags = turn.thinkingAs === 'tags';
  const thinking = pieces.filter((p) => p.kind === 'thinking').map((p) => p.text).join('');
  const text = pieces.filter((p) => p.kind === 'text').map((p) => p.text).join('');
  const calls = pieces
    .filter((p) => p.kind === 'tool')
    .map((p) => ({ id: p.callId, type: 'function', function: { name: p.call?.name, arguments: JSON.stringify(p.call?.arguments) } }));
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: tags && thinking !== '' ? `<think>${thinking}</think>\n\n${text}` : calls.length > 0 && text === '' ? null : text,
          ...(!tags && thinking !== '' ? { [turn.thinkingAs === 'reasoning' ? 'reasoning' : 'reasoning_content']: thinking } : {}),
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        },
        logprobs: null,
        finish_reason: turn.stopReason === 'length' ? 'length' : calls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    ...(usage === null || usage === undefined ? {} : { usage: openAiUsage(usage) }),
  };
}

// ---- the rest of the API ------------------------------------------------------------------------

function embed(request: RecordedModelRequest, res: ServerResponse, openAi: boolean, dimensions: number): void {
  const body = isRecord(request.body) ? request.body : {};
  const input = body['input'];
  const texts = Array.isArray(input) ? input.map(String) : typeof input === 'string' ? [input] : [];
  const model = typeof body['model'] === 'string' ? body['model'] : 'fake-embed';
  const vectors = texts.map((text) => vectorOf(text, dimensions));
  const tokens = texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
  if (openAi) {
    return sendJson(res, 200, {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }
  return sendJson(res, 200, { model, embeddings: vectors, prompt_eval_count: tokens });
}

/** Deterministic unit vector of a text, so equal texts embed equally. */
function vectorOf(text: string, dimensions: number): number[] {
  let seed = 2166136261;
  for (const char of text) seed = Math.imul(seed ^ char.charCodeAt(0), 16777619) >>> 0;
  const values = Array.from({ length: dimensions }, () => {
    seed = Math.imul(seed ^ (seed >>> 15), 2246822507) >>> 0;
    return (seed / 0xffffffff) * 2 - 1;
  });
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => v / norm);
}

function ollamaModel(name: string): Record<string, unknown> {
  return {
    name,
    model: name,
    modified_at: '2026-01-01T00:00:00Z',
    size: 1_000_000,
    digest: 'sha256:fake',
    details: { format: 'gguf', family: 'fake', families: ['fake'], parameter_size: '1B', quantization_level: 'Q4_K_M' },
  };
}

function openAiUsage(usage: { input: number; output: number }): Record<string, number> {
  return { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output };
}

function defaultErrorMessage(status: number): string {
  if (status === 429) return 'Rate limit reached, please try again later';
  if (status >= 500) return 'the model runner crashed';
  return `request failed with status ${status}`;
}

/** The protocol's error body: Ollama {"error": "..."}, OpenAI {"error": {message, type, param, code}}. */
function sendError(res: ServerResponse, openAi: boolean, status: number, message: string, headers: Record<string, string> = {}): void {
  const type = status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, openAi ? { error: { message, type, param: null, code: status === 401 ? 'invalid_api_key' : null } } : { error: message }, headers);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function hangUntilClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) resolve();
    else res.once('close', () => resolve());
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A client gone mid-upload has nothing to answer; the 'close' handlers record it.
    req.on('error', () => resolve(''));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Recorded as undefined; the chat routes answer 400 as a real server would.
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
