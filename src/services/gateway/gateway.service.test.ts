import { describe, expect, it } from 'vitest';
import type { ChatRequest, ChatStreamEvent } from '../../domain/chat/chat-types.ts';
import { VigilError } from '../../domain/errors.ts';
import type { ChatBackend } from '../../ports/chat-backend.ts';
import type { GatewayKey, GatewayKeyLimits, GatewayUsageEntry, GatewayUsageRow, GatewayUsageStore } from '../../ports/gateway-store.ts';
import type { Logger } from '../../ports/logger.ts';
import { createProviderQueue, type ProviderQueue } from '../genai/queue/index.ts';
import { GatewayService, type GatewayTarget } from './gateway.service.ts';
import { GatewayUsageMeter } from './gateway-usage.ts';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

const LIMITS: GatewayKeyLimits = { models: null, requestsPerMinute: null, concurrentRequests: 1, tokensPerDay: null, maxContextTokens: null, maxOutputTokens: 1000, priority: 'interactive' };
const KEY: GatewayKey = { id: 'k1', name: 'alice', prefix: 'vk_aaaaa', createdAt: 0, revokedAt: null, lastUsedAt: null, limits: LIMITS };

type Step = ChatStreamEvent | { fail: VigilError } | { waitForAbort: true };

/** A backend that plays a script per call and remembers what it was asked and whether it was told to stop. */
class ScriptedBackend implements ChatBackend {
  readonly kind;
  readonly model = 'backend-model';
  readonly capabilities;
  readonly requests: ChatRequest[] = [];
  readonly aborted: boolean[] = [];
  constructor(
    readonly name: string,
    readonly script: Step[][],
    options: { kind?: ChatBackend['kind']; forcedToolChoice?: boolean } = {},
  ) {
    this.kind = options.kind ?? 'openai';
    this.capabilities = { forcedToolChoice: options.forcedToolChoice ?? true };
  }
  async *chat(request: ChatRequest, { signal }: { signal: AbortSignal }): AsyncIterable<ChatStreamEvent> {
    const call = this.requests.push(request) - 1;
    this.aborted[call] = false;
    signal.addEventListener('abort', () => (this.aborted[call] = true));
    for (const step of this.script[call] ?? []) {
      if ('fail' in step) throw step.fail;
      if ('waitForAbort' in step) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        throw new VigilError('aborted', 'stopped');
      }
      yield step;
    }
  }
}

class MemoryUsage implements GatewayUsageStore {
  readonly entries: GatewayUsageEntry[] = [];
  /** Set: writes wait for it (a slow database), and land only then. */
  hold: Promise<void> | undefined;
  async record(entry: GatewayUsageEntry): Promise<void> {
    if (this.hold) await this.hold;
    this.entries.push(entry);
  }
  async tokensOn(): Promise<number> {
    return this.entries.reduce((s, e) => s + e.inputTokens + e.outputTokens, 0);
  }
  async usage(): Promise<GatewayUsageRow[]> {
    return [];
  }
}

const end = (inputTokens: number, outputTokens: number): ChatStreamEvent => ({ type: 'end', stopReason: 'end_turn', usage: { inputTokens, outputTokens } });
const down = () => ({ fail: new VigilError('provider_unavailable', 'connection refused', { retryable: true }) });

function setup(backends: ScriptedBackend[], routes = [{ name: '*', provider: backends[0]!.name }], contextTokens?: number) {
  const queues = new Map<string, ProviderQueue>();
  const targets = new Map<string, GatewayTarget>();
  for (const backend of backends) {
    const queue = createProviderQueue({
      provider: { name: backend.name, kind: backend.kind, model: backend.model, generate: () => Promise.reject(new Error('unused')), embed: () => Promise.reject(new Error('unused')) },
      options: { concurrency: 1 },
    });
    queues.set(backend.name, queue);
    targets.set(backend.name, { backend, lease: (o) => queue.lease(o), ...(contextTokens !== undefined ? { contextTokens } : {}) });
  }
  const store = new MemoryUsage();
  const gateway = new GatewayService({
    routes,
    target: (name) => targets.get(name),
    fallbackChainOf: (name) => (name === backends[0]!.name ? backends.slice(1).map((b) => b.name) : []),
    authenticate: async (secret) => (secret === 'vk_good' ? KEY : undefined),
    usage: new GatewayUsageMeter({ store, onError: (e) => { throw e; } }),
    now: Date.now,
    logger: silent,
  });
  return { gateway, store, queues };
}

const call = (overrides: Partial<Parameters<GatewayService['chat']>[0]> = {}) => ({
  key: KEY,
  clientModel: 'claude-sonnet-4',
  request: { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hello there' }] }] },
  maxTokens: 32000,
  signal: new AbortController().signal,
  ...overrides,
});

async function drain(session: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const events: ChatStreamEvent[] = [];
  for await (const e of session) events.push(e);
  return events;
}

describe('GatewayService', () => {
  it('asks the routed backend with the key-clamped max_tokens, streams its events and accounts the request once', async () => {
    const backend = new ScriptedBackend('local', [[{ type: 'text', text: 'Hi' }, end(12, 3)]]);
    const { gateway, store, queues } = setup([backend]);
    const session = await gateway.chat(call());
    expect(queues.get('local')?.stats().inFlight).toBe(1);
    expect(await drain(session)).toEqual([{ type: 'text', text: 'Hi' }, end(12, 3)]);
    expect(backend.requests[0]).toMatchObject({ model: 'backend-model', maxTokens: 1000 });
    expect(queues.get('local')?.stats()).toMatchObject({ inFlight: 0, totals: { successes: 1, tokens: { input: 12, output: 3 } } });
    expect(store.entries).toEqual([expect.objectContaining({ keyId: 'k1', model: 'claude-sonnet-4', ok: true, inputTokens: 12, outputTokens: 3 })]);
  });

  it('tries the next backend while nothing was streamed, and never after', async () => {
    const primary = new ScriptedBackend('local', [[down()], [{ type: 'text', text: 'par' }, down()]]);
    const standby = new ScriptedBackend('cloud', [[{ type: 'text', text: 'from cloud' }, end(5, 2)]]);
    const { gateway, store } = setup([primary, standby]);
    expect(await drain(await gateway.chat(call()))).toEqual([{ type: 'text', text: 'from cloud' }, end(5, 2)]);
    expect(standby.requests[0]?.model).toBe('backend-model');

    const session = await gateway.chat(call());
    await expect(drain(session)).rejects.toMatchObject({ code: 'provider_unavailable' });
    expect(standby.requests).toHaveLength(1);
    expect(store.entries.map((e) => e.ok)).toEqual([true, false]);
  });

  it('does not hand a refusal (bad request) to a fallback', async () => {
    const primary = new ScriptedBackend('local', [[{ fail: new VigilError('provider_bad_request', 'no such model') }]]);
    const standby = new ScriptedBackend('cloud', [[end(1, 1)]]);
    const { gateway } = setup([primary, standby]);
    await expect(gateway.chat(call())).rejects.toMatchObject({ code: 'provider_bad_request' });
    expect(standby.requests).toHaveLength(0);
  });

  it('a client that goes away mid-stream stops the backend and frees the slot and the key at once', async () => {
    const backend = new ScriptedBackend('local', [[{ type: 'text', text: 'long' }, { waitForAbort: true }], [end(1, 1)]]);
    const { gateway, queues, store } = setup([backend]);
    const client = new AbortController();
    const session = await gateway.chat(call({ signal: client.signal }));
    const it = session[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: 'text', text: 'long' });
    const pending = it.next();
    client.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    expect(backend.aborted[0]).toBe(true);
    expect(queues.get('local')?.stats().inFlight).toBe(0);
    expect(store.entries[0]).toMatchObject({ ok: false });
    // The key's one concurrent request is free again.
    expect(await drain(await gateway.chat(call()))).toEqual([end(1, 1)]);
  });

  it('an answer is done at its end event, even when the reader stops there (as the encoders do)', async () => {
    const backend = new ScriptedBackend('local', [[{ type: 'text', text: 'ok' }, end(9, 1), { waitForAbort: true }]]);
    const { gateway, queues, store } = setup([backend]);
    for await (const event of await gateway.chat(call())) if (event.type === 'end') break;
    expect(store.entries).toEqual([expect.objectContaining({ ok: true, inputTokens: 9, outputTokens: 1 })]);
    expect(queues.get('local')?.stats().totals).toMatchObject({ successes: 1, failures: {} });
  });

  it('a reader that stops early (return) frees everything the same way', async () => {
    const backend = new ScriptedBackend('local', [[{ type: 'text', text: 'a' }, { waitForAbort: true }]]);
    const { gateway, queues } = setup([backend]);
    for await (const event of await gateway.chat(call())) {
      expect(event.type).toBe('text');
      break;
    }
    expect(backend.aborted[0]).toBe(true);
    expect(queues.get('local')?.stats().inFlight).toBe(0);
  });

  it('refuses a forced tool choice on a backend that cannot force one, and an unrouted model, accounting both', async () => {
    const ollama = new ScriptedBackend('local', [], { kind: 'ollama', forcedToolChoice: false });
    const { gateway, store } = setup([ollama], [{ name: 'claude-*', provider: 'local' }]);
    await expect(gateway.chat(call({ request: { ...call().request, toolChoice: { type: 'any' } } }))).rejects.toThrow(/cannot be made to call a tool: send tool_choice "auto"/);
    await expect(gateway.chat(call({ clientModel: 'gpt-4o' }))).rejects.toMatchObject({ code: 'not_found' });
    expect(store.entries.map((e) => [e.model, e.ok])).toEqual([['claude-sonnet-4', false], ['(unrouted)', false]]);
  });

  it("lists the routes' exact names and the backend models a client lands on by asking for them, within the key's models", () => {
    const backend = new ScriptedBackend('local', []);
    const routes = [
      { name: 'claude-*opus*', provider: 'local', model: 'qwen3:32b' },
      { name: 'fast', provider: 'local', model: 'qwen3:4b' },
      { name: '*', provider: 'local' },
    ];
    const { gateway } = setup([backend], routes);
    // qwen3:32b and qwen3:4b would land on "*", i.e. on backend-model: not offered under those names.
    expect(gateway.models(KEY)).toEqual(['fast', 'backend-model']);
    expect(gateway.models({ ...KEY, limits: { ...LIMITS, models: ['f*'] } })).toEqual(['fast']);
  });

  it("fits max_tokens into the backend's fixed context, and refuses a prompt that alone fills it before taking a slot", async () => {
    const backend = new ScriptedBackend('local', [[end(1, 1)]], { kind: 'ollama' });
    const { gateway, queues } = setup([backend], undefined, 900);
    await drain(await gateway.chat(call()));
    expect(backend.requests[0]?.maxTokens).toBeLessThan(900);
    expect(backend.requests[0]?.maxTokens).toBeGreaterThan(850);
    const long = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'word '.repeat(1200) }] }] };
    await expect(gateway.chat(call({ request: long }))).rejects.toThrow(/prompt is too long: about \d+ tokens \(an estimate\) > 900, the context of the model behind/);
    expect(backend.requests).toHaveLength(1);
    expect(queues.get('local')?.stats().totals.calls).toBe(1);
  });

  it('accounts a client that left mid-answer with the prompt and what was streamed, not as free', async () => {
    const backend = new ScriptedBackend('local', [[{ type: 'text', text: 'x'.repeat(400) }, { waitForAbort: true }]]);
    const { gateway, store } = setup([backend]);
    for await (const event of await gateway.chat(call())) {
      expect(event.type).toBe('text');
      break;
    }
    expect(store.entries[0]).toMatchObject({ ok: false, outputTokens: 100 });
    expect(store.entries[0]?.inputTokens).toBeGreaterThan(0);
  });

  it('a backend that ends without a word is an error before anything is streamed', async () => {
    const backend = new ScriptedBackend('local', [[]]);
    const { gateway, queues } = setup([backend]);
    await expect(gateway.chat(call())).rejects.toMatchObject({ code: 'provider_bad_output' });
    expect(queues.get('local')?.stats().inFlight).toBe(0);
  });

  it('authenticates keys and says how to get one', async () => {
    const { gateway } = setup([new ScriptedBackend('local', [])]);
    expect((await gateway.authenticate('vk_good')).name).toBe('alice');
    await expect(gateway.authenticate('vk_bad')).rejects.toThrow(/invalid or revoked API key/);
    await expect(gateway.authenticate(undefined)).rejects.toThrow(/vigil keys create NAME/);
  });

  it("keeps a finished answer's tokens reserved for its key until its usage is stored", async () => {
    const backend = new ScriptedBackend('local', [[end(400, 100)], [end(1, 1)]]);
    const { gateway, store } = setup([backend]);
    const key = { ...KEY, limits: { ...LIMITS, concurrentRequests: null, tokensPerDay: 2000 } };
    let write!: () => void;
    store.hold = new Promise<void>((resolve) => (write = resolve));
    await drain(await gateway.chat(call({ key })));
    // Not stored yet, so not counted by the store: its reservation (prompt + 1,000) stands in for it.
    await gateway.chat(call({ key, maxTokens: 32000 }));
    expect(backend.requests[1]?.maxTokens).toBeLessThan(1000);
    write();
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.entries[0]).toMatchObject({ ok: true, inputTokens: 400, outputTokens: 100 });
  });
});
