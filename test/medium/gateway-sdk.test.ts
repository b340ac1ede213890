/**
 * The model gateway end to end, with the official clients as users run them: `@anthropic-ai/sdk`
 * and `openai` against `vigil serve`, which forwards to local servers speaking Ollama's and
 * OpenAI's wire protocols (test/support/fake-model-server.ts). Nothing here calls the gateway's
 * functions directly: what is checked is what a client and a backend see on the wire.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVigil, type RunningServer } from '../../src/app.ts';
import { parseConfigText } from '../../src/config/index.ts';
import { gatewayUsageSchema } from '../../src/contract/api.schemas.ts';
import type { Logger } from '../../src/ports/logger.ts';
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.ts';

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silent };

let dir: string;
let local: FakeModelServer;
let compat: FakeModelServer;
let standby: FakeModelServer;
let vigil: ReturnType<typeof createVigil>;
let server: RunningServer;
let secret: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-gateway-'));
  local = await startFakeModelServer({ maxConcurrent: 1 });
  compat = await startFakeModelServer({ apiKey: 'sk-compat-123456' });
  standby = await startFakeModelServer({ apiKey: 'sk-standby-123456' });
  const text = `storage:
  data_dir: data
genai:
  providers:
    local: { provider: ollama, model: "qwen3:8b", base_url: "${local.url}", concurrency: 1, timeout_s: 5, fallback: standby, provider_options: { keep_alive: "30m", options: { num_ctx: 16384 } } }
    compat: { provider: openai, model: "small", base_url: "${compat.openAiUrl}", api_key: "sk-compat-123456" }
    standby: { provider: openai, model: "standby-model", base_url: "${standby.openAiUrl}", api_key: "sk-standby-123456" }
gateway:
  enabled: true
  embeddings: local
  max_body_mb: 1
  models:
    - { name: "gpt-4o*", provider: compat, model: "qwen3:4b" }
    - { name: "*", provider: local }
  key_defaults: { requests_per_minute: none, concurrent_requests: none, max_context_tokens: 32768, max_output_tokens: 4096 }
`;
  const loaded = { ...parseConfigText(text, { env: {}, baseDir: dir, fileLabel: 'test' }), baseDir: dir };
  vigil = createVigil(loaded, { logger: silent });
  secret = (await vigil.gatewayKeys.create('alice')).secret;
  server = await vigil.serve({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([local?.close(), compat?.close(), standby?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const s of [local, compat, standby]) s.reset();
});

const anthropic = (key = secret) => new Anthropic({ baseURL: server.url, apiKey: key, maxRetries: 0 });
/** Claude Code's way: ANTHROPIC_AUTH_TOKEN, sent as Authorization: Bearer. */
const anthropicBearer = (key = secret) => new Anthropic({ baseURL: server.url, apiKey: null, authToken: key, maxRetries: 0 });
const openai = (key = secret) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });

const body = (s: FakeModelServer, i = 0) => s.chatRequests()[i]?.body as Record<string, unknown>;

describe('Anthropic Messages API through the gateway to an Ollama backend', () => {
  it('answers a system prompt and a question, with the backend given the fixed num_ctx and a clamped num_predict', async () => {
    local.script({ text: ['Two people ', 'at the door.'], usage: { input: 42, output: 7 } });
    const message = await anthropic().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 16000,
      system: 'You watch cameras.',
      messages: [{ role: 'user', content: 'Who is at the door?' }],
    });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Two people at the door.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 42, output_tokens: 7 },
    });
    const sent = body(local);
    expect(local.chatRequests()[0]?.path).toBe('/api/chat');
    expect(sent).toMatchObject({
      model: 'qwen3:8b',
      stream: true,
      keep_alive: '30m',
      messages: [{ role: 'system', content: 'You watch cameras.' }, { role: 'user', content: 'Who is at the door?' }],
      options: { num_ctx: 16384, num_predict: 4096 },
    });
  });

  it('streams a tool call and takes its result back, the way Claude Code runs a tool (Bearer token)', async () => {
    local.script({ text: ['Let me look.'], toolCalls: [{ name: 'read_file', arguments: { path: '/tmp/notes.txt' } }] }, { text: ['The file says ', '"hello".'] });
    const client = anthropicBearer();
    const tools: Anthropic.Tool[] = [{ name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];
    const question: Anthropic.MessageParam = { role: 'user', content: 'What does /tmp/notes.txt say?' };
    const first = await client.messages.stream({ model: 'claude-opus-4-1', max_tokens: 1024, tools, messages: [question] }).finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((b) => b.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'read_file', input: { path: '/tmp/notes.txt' } });
    expect(first.content[0]).toMatchObject({ type: 'text', text: 'Let me look.' });

    const second = await client.messages
      .stream({
        model: 'claude-opus-4-1',
        max_tokens: 1024,
        tools,
        messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse!.type === 'tool_use' ? toolUse!.id : '', content: 'hello' }] }],
      })
      .finalMessage();
    expect(second.content).toEqual([{ type: 'text', text: 'The file says "hello".', citations: null }].map(({ citations: _, ...b }) => expect.objectContaining(b)));
    expect(second.stop_reason).toBe('end_turn');
    const followUp = body(local, 1);
    expect(followUp['tools']).toEqual([{ type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: tools[0]!.input_schema } }]);
    expect(followUp['messages']).toEqual([
      { role: 'user', content: 'What does /tmp/notes.txt say?' },
      expect.objectContaining({ role: 'assistant', content: 'Let me look.', tool_calls: [expect.objectContaining({ function: { name: 'read_file', arguments: { path: '/tmp/notes.txt' } } })] }),
      expect.objectContaining({ role: 'tool', tool_name: 'read_file', content: 'hello' }),
    ]);
  });

  it('carries an image (base64) to the vision model as Ollama expects it, and refuses an image URL it would have to fetch', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    local.script({ text: ['A red dot.'] });
    const message = await anthropic().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }, { type: 'text', text: 'What is this?' }] }],
    });
    expect(message.content).toEqual([expect.objectContaining({ text: 'A red dot.' })]);
    expect(body(local)['messages']).toEqual([{ role: 'user', content: 'What is this?', images: [png] }]);

    const remote = anthropic().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'http://192.168.1.2/cam.jpg' } }] }],
    });
    await expect(remote).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    expect(local.chatRequests()).toHaveLength(1);
  });

  it('counts tokens (an estimate) and lists the models a key may ask for', async () => {
    const counted = await anthropic().messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'a'.repeat(400) }] });
    expect(counted.input_tokens).toBeGreaterThanOrEqual(100);
    expect(counted.input_tokens).toBeLessThan(120);
    // "gpt-4o*" is a pattern; qwen3:4b (its backend model) would land on the "*" route, i.e. on another model.
    const models = await openai().models.list();
    expect(models.data.map((m) => m.id)).toEqual(['qwen3:8b']);
    const listed = await anthropic().models.list();
    expect(listed.data.map((m) => m.id)).toEqual(['qwen3:8b']);
  });

  it('refuses to force a tool on Ollama with a clear 400 instead of answering wrongly', async () => {
    const request = anthropic().messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      tools: [{ name: 'get_time', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'time?' }],
    });
    await expect(request).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(request).rejects.toThrow(/cannot be made to call a tool: send tool_choice "auto"/);
    expect(local.chatRequests()).toHaveLength(0);
  });

  it("passes the backend's 429 on with its Retry-After, and hands an outage to the fallback before anything streamed", async () => {
    local.script({ status: 429, retryAfterS: 7 });
    const limited = await anthropic()
      .messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toBe('7');

    local.script({ status: 500, errorMessage: 'CUDA out of memory' });
    standby.script({ text: ['answered by the standby'] });
    const message = await anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'answered by the standby' })]);
    expect(body(standby)).toMatchObject({ model: 'standby-model' });
  });

  it('a client that goes away mid-stream closes the backend request and frees the only slot at once', async () => {
    local.script({ text: ['partial'], hang: true }, { text: ['next one'] });
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': secret, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'go on' }] }),
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.includes('content_block_delta')) seen += new TextDecoder().decode((await reader.read()).value);
    expect(seen).toContain('"partial"');
    controller.abort();
    await local.waitForDisconnect(local.chatRequests()[0]!.index, 2000);
    const started = Date.now();
    const next = await anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(next.content).toEqual([expect.objectContaining({ text: 'next one' })]);
    // The provider's timeout is 5 s: an answer well before it means the slot was free, not timed out.
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

/** An SSE body as the list of its events, in order. */
function sseEvents(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
      return { event, data };
    });
}

describe("a conversation shaped like Claude Code's, as the wire carries it", () => {
  it('turn 1 (its real request: 12 tools, system turns, adaptive thinking) streams a tool_use; turn 2 returns the tool_result and gets the final text', async () => {
    const captured = JSON.parse(readFileSync(new URL('../fixtures/gateway/claude-code-request.json', import.meta.url), 'utf8')) as Record<string, unknown> & { messages: unknown[]; tools: Array<{ name: string }> };
    local.script({ thinking: ['The user wants a word.'], toolCalls: [{ name: 'Bash', arguments: { command: 'echo pong', description: 'Say pong' } }] }, { text: ['pong'] });
    const post = async (requestBody: unknown) =>
      fetch(`${server.url}/v1/messages?beta=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14' },
        body: JSON.stringify(requestBody),
      });

    const first = await post(captured);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/event-stream');
    const events = sseEvents(await first.text());
    // Claude Code asks for thinking with display "omitted": the model reasons, the answer carries no thinking block.
    expect(events.map((e) => e.event)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(events.every((e) => e.data['type'] === e.event)).toBe(true);
    expect(events[2]!.data).toMatchObject({ index: 0, content_block: { type: 'tool_use', name: 'Bash', input: {} } });
    expect(JSON.parse(String((events[3]!.data['delta'] as { partial_json: string }).partial_json))).toEqual({ command: 'echo pong', description: 'Say pong' });
    expect(events[5]!.data).toMatchObject({ delta: { stop_reason: 'tool_use' } });

    const sent = body(local);
    expect((sent['tools'] as unknown[]).length).toBe(captured.tools.length);
    expect((sent['tools'] as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual(captured.tools.map((t) => t.name));
    const system = (sent['messages'] as Array<{ role: string; content: string }>)[0]!;
    expect(system.role).toBe('system');
    expect(system.content).toContain('# Environment');
    expect(sent).toMatchObject({ think: true });

    const toolUse = events[2]!.data['content_block'] as { id: string };
    const second = await post({
      ...captured,
      messages: [
        ...captured.messages,
        { role: 'assistant', content: [{ type: 'tool_use', id: toolUse.id, name: 'Bash', input: { command: 'echo pong', description: 'Say pong' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: [{ type: 'text', text: 'pong' }], is_error: false }] },
      ],
    });
    const final = sseEvents(await second.text());
    expect(final.map((e) => e.event)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(final[3]!.data).toMatchObject({ delta: { type: 'text_delta', text: 'pong' } });
    expect(final[5]!.data).toMatchObject({ delta: { stop_reason: 'end_turn' } });
    const followUp = body(local, 1)['messages'] as Array<{ role: string; content: string; tool_calls?: unknown[] }>;
    expect(followUp.slice(-2)).toEqual([
      expect.objectContaining({ role: 'assistant', tool_calls: [expect.objectContaining({ function: { name: 'Bash', arguments: { command: 'echo pong', description: 'Say pong' } } })] }),
      expect.objectContaining({ role: 'tool', tool_name: 'Bash', content: 'pong' }),
    ]);
  });
});

describe('clients that leave', () => {
  it('a non-streaming client that leaves while its answer is generated frees the slot too', async () => {
    local.script({ text: ['slow'], hang: true }, { text: ['after'] });
    const controller = new AbortController();
    const pending = openai()
      .chat.completions.create({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'take your time' }] }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(local.stats.active).toBe(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    await local.waitForDisconnect(local.chatRequests()[0]!.index, 2000);
    const next = await openai().chat.completions.create({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'now' }] });
    expect(next.choices[0]?.message.content).toBe('after');
  });
});

describe('OpenAI API through the gateway', () => {
  it('streams text and a tool call from an OpenAI-protocol backend, with the usage chunk asked for', async () => {
    compat.script({ thinking: ['Checking the camera list.'], text: ['Calling.'], toolCalls: [{ name: 'list_cameras', arguments: { site: 'shop' } }], usage: { input: 30, output: 9 } });
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'list_cameras', parameters: { type: 'object', properties: { site: { type: 'string' } } } } }],
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Which cameras are at the shop?' }],
    });
    let content = '';
    let args = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(content).toBe('Calling.');
    expect(JSON.parse(args)).toEqual({ site: 'shop' });
    expect(finish).toBe('tool_calls');
    expect(usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 });
    const sent = body(compat);
    expect(compat.chatRequests()[0]?.path).toBe('/v1/chat/completions');
    expect(sent).toMatchObject({ model: 'qwen3:4b', stream: true, max_tokens: 4096, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Which cameras are at the shop?' }] });
  });

  it('answers without streaming, reasoning included, and embeds in the SDK default (base64) the same floats as the backend', async () => {
    local.script({ thinking: ['Hmm.'], text: ['Yes.'] });
    const completion = await openai().chat.completions.create({ model: 'qwen3:8b', reasoning_effort: 'low', messages: [{ role: 'user', content: 'Anyone there?' }] });
    expect(completion.choices[0]?.message.content).toBe('Yes.');
    expect((completion.choices[0]?.message as unknown as { reasoning_content?: string }).reasoning_content).toBe('Hmm.');
    expect(body(local)).toMatchObject({ think: true });

    const embedded = await openai().embeddings.create({ model: 'bge-m3', input: ['a person at the gate', '門口有人'] });
    const direct = (await (await fetch(`${local.url}/api/embed`, { method: 'POST', body: JSON.stringify({ model: 'qwen3:8b', input: ['a person at the gate', '門口有人'] }) })).json()) as { embeddings: number[][] };
    expect(embedded.data).toHaveLength(2);
    embedded.data.forEach((d, i) => d.embedding.forEach((v, j) => expect(v).toBeCloseTo(direct.embeddings[i]![j]!, 6)));
  });
});

describe('who may use the gateway, and how much', () => {
  it('refuses a missing, wrong or revoked key in each client protocol', async () => {
    await expect(anthropic('vk_nonsense').messages.create({ model: 'x', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(openai('vk_nonsense').chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const anonymous = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { type: 'authentication_error', message: expect.stringContaining('vigil keys create NAME') } });
    const bob = await vigil.gatewayKeys.create('bob');
    await vigil.gatewayKeys.revoke('bob');
    await expect(openai(bob.secret).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(local.chatRequests()).toHaveLength(0);
  });

  it("holds a key to its models and its requests per minute, with Retry-After in each protocol's 429", async () => {
    const carol = (await vigil.gatewayKeys.create('carol', { models: ['claude-*'], requestsPerMinute: 1 })).secret;
    await expect(openai(carol).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await anthropic(carol).messages.create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    const limited = await anthropic(carol)
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'again' }] })
      .catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    const retryAfter = Number((limited as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('accounts usage per key and model at /api/gateway/usage and /metrics', async () => {
    local.script({ text: ['ok'], usage: { input: 11, output: 2 } });
    await anthropic().messages.create({ model: 'claude-usage-check', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
    const usage = gatewayUsageSchema.parse(await (await fetch(`${server.url}/api/gateway/usage?key=alice`)).json());
    expect(usage.enabled).toBe(true);
    expect(usage.totals.find((t) => t.model === 'claude-usage-check')).toMatchObject({ key: 'alice', requests: 1, failures: 0, input_tokens: 11, output_tokens: 2 });
    expect(usage.keys.map((k) => k.name)).toContain('alice');
    expect(JSON.stringify(usage)).not.toContain(secret);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_gateway_requests\{key="alice",model="claude-usage-check"\} 1/);
    expect(metrics).toMatch(/vigil_gateway_input_tokens\{key="alice",model="claude-usage-check"\} 11/);
  });

  // Last: after a 413 the server closes the connection while the client may still be sending.
  it('refuses a body over gateway.max_body_mb with 413 before the model is asked', async () => {
    const huge = 'x'.repeat(1_200_000);
    const request = anthropic().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: huge }] });
    await expect(request).rejects.toMatchObject({ status: 413 });
    expect(local.chatRequests()).toHaveLength(0);
  });
});
