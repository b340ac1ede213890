/**
 * A small local HTTP server standing in for an LLM provider in tests. It records every request
 * and answers each call with the next scripted reply, so adapter tests run the real client code
 * path (fetch, headers, timeouts, body parsing) without a network or a model.
 *
 *   const server = await startFakeLlmServer();
 *   server.reply({ json: { message: { content: 'hi' } } }, { status: 429, headers: { 'retry-after': '2' }, json: {...} });
 *   ... call the adapter with baseUrl: server.url ...
 *   expect(server.requests[0]?.json).toMatchObject({ model: 'x' });
 *   await server.close();
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  /** Defaults to 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent verbatim (e.g. malformed JSON or an HTML error page); wins over `json`. */
  body?: string;
  /** Wait this long before answering, to exercise timeouts. */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when it was not JSON. */
  json: unknown;
}

export type ReplyScript = ScriptedReply | ((request: RecordedRequest) => ScriptedReply);

export interface FakeLlmServer {
  /** e.g. http://127.0.0.1:54321 (no trailing slash). */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Queues replies, answered one per request in order. */
  reply(...replies: ReplyScript[]): void;
  /** The reply used once the queue is empty (default: a 500 naming the unexpected request). */
  setFallback(reply: ReplyScript | undefined): void;
  lastRequest(): RecordedRequest;
  /** Forgets recorded requests and queued replies. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const requests: RecordedRequest[] = [];
  const queue: ReplyScript[] = [];
  let fallback: ReplyScript | undefined;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        text,
        json: parseJson(text),
      };
      requests.push(recorded);
      const script = queue.shift() ?? fallback ?? unexpected(recorded);
      const reply = typeof script === 'function' ? script(recorded) : script;
      if (reply.delayMs === undefined || reply.delayMs <= 0) {
        send(res, reply);
        return;
      }
      const timer = setTimeout(() => send(res, reply), reply.delayMs);
      // The client gave up (timeout/abort): do not write to a closed socket.
      res.on('close', () => clearTimeout(timer));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => {
      queue.push(...replies);
    },
    setFallback: (reply) => {
      fallback = reply;
    },
    lastRequest: () => {
      const last = requests.at(-1);
      if (last === undefined) throw new Error('fake-llm-server: no request was received');
      return last;
    },
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

/** A URL on which nothing listens, for connection-refused tests. */
export async function unusedLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function send(res: ServerResponse, reply: ScriptedReply): void {
  const raw = reply.body ?? (reply.json === undefined ? '' : JSON.stringify(reply.json));
  const contentType = reply.body === undefined && reply.json !== undefined ? { 'content-type': 'application/json' } : {};
  res.writeHead(reply.status ?? 200, { ...contentType, ...reply.headers });
  res.end(raw);
}

function unexpected(request: RecordedRequest): ScriptedReply {
  return { status: 500, json: { error: `fake-llm-server: no scripted reply for ${request.method} ${request.path}` } };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Recorded as text only; tests that expect JSON will see `json: undefined`.
    return undefined;
  }
}
