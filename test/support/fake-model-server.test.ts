import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeModelServer, type FakeModelServer } from './fake-model-server.ts';

let server: FakeModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('fake model server', () => {
  it('is read by the official openai client: streamed text, tool call fragments and usage', async () => {
    server = await startFakeModelServer();
    server.script({ text: ['Hel', 'lo'], toolCalls: [{ name: 'f', arguments: { a: 1 } }], usage: { input: 5, output: 3 } });
    const client = new OpenAI({ baseURL: server.openAiUrl, apiKey: 'k' });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let args = '';
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect([text, JSON.parse(args), finish]).toEqual(['Hello', { a: 1 }, 'tool_calls']);
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3 });

    server.script({ thinking: ['hm'], text: ['Hi'] });
    const whole = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(whole.choices[0]?.message.content).toBe('Hi');
    expect(whole.choices[0]?.message).toMatchObject({ reasoning_content: 'hm' });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(['fake-model']);
    const embedded = await client.embeddings.create({ model: 'e', input: ['a', 'b', 'a'] });
    expect(embedded.data).toHaveLength(3);
    expect(embedded.data[0]?.embedding).toEqual(embedded.data[2]?.embedding);
  });

  it('speaks Ollama: NDJSON by default, one JSON with stream false, tags and embed', async () => {
    server = await startFakeModelServer({ models: ['qwen3:8b'] });
    server.script({ thinking: ['t'], text: ['A', 'B'], usage: { input: 4, output: 2 } }, { text: ['whole'] });
    const lines = (await (await post(`${server.url}/api/chat`, { model: 'qwen3:8b', messages: [] })).text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['message'])).toEqual([
      { role: 'assistant', content: '', thinking: 't' },
      { role: 'assistant', content: 'A' },
      { role: 'assistant', content: 'B' },
      { role: 'assistant', content: '' },
    ]);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: 4, eval_count: 2 });
    const one = (await (await post(`${server.url}/api/chat`, { model: 'qwen3:8b', messages: [], stream: false })).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ message: { content: 'whole' }, done: true });
    const missing = await post(`${server.url}/api/chat`, { model: 'llama3', messages: [] });
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'model "llama3" not found, try pulling it first' }]);
    const tags = (await (await fetch(`${server.url}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name)).toEqual(['qwen3:8b']);
    const embed = (await (await post(`${server.url}/api/embed`, { model: 'e', input: ['x'] })).json()) as { embeddings: number[][] };
    expect(embed.embeddings[0]).toHaveLength(8);
  });

  it('holds maxConcurrent requests at once and queues the rest, like OLLAMA_NUM_PARALLEL; maxQueue answers 503', async () => {
    server = await startFakeModelServer({ maxConcurrent: 2, maxQueue: 2, defaultTurn: { text: ['a', 'b'], delayMs: 60 } });
    const url = `${server.url}/api/chat`;
    const answers = Array.from({ length: 4 }, () => post(url, { model: 'm', messages: [] }).then((r) => r.text()));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.stats).toMatchObject({ active: 2, queued: 2 });
    const refused = await post(url, { model: 'm', messages: [] });
    expect(refused.status).toBe(503);
    await Promise.all(answers);
    expect(server.stats).toMatchObject({ active: 0, queued: 0, maxActive: 2 });
  });

  it('records a client that leaves mid-answer and counts connections', async () => {
    server = await startFakeModelServer();
    server.script({ text: ['x'], hang: true });
    const controller = new AbortController();
    const response = await fetch(`${server.openAiUrl}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [], stream: true }),
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(server.connections.open).toBe(1);
    controller.abort();
    await server.waitForDisconnect(0, 1000);
    expect(server.requests[0]).toMatchObject({ disconnected: true, completed: false });
    await expect.poll(() => server?.connections.closed).toBe(1);
  });
});
