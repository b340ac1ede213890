import { describe, expect, it } from 'vitest';
import type { ChatStreamEvent } from '../../../domain/chat/chat-types.ts';
import { VigilError } from '../../../domain/errors.ts';
import { OpenAiChunkEncoder, openAiChatSse, SSE_DONE } from './openai-chat-stream.ts';

const meta = { id: 'chatcmpl-abc', created: 1_700_000_000, model: 'gpt-local' };

async function* from(events: ChatStreamEvent[], failWith?: unknown): AsyncGenerator<ChatStreamEvent> {
  yield* events;
  if (failWith !== undefined) throw failWith;
}

async function collect(gen: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of gen) out.push(piece);
  return out;
}

const end = (stopReason: 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence' = 'end_turn'): ChatStreamEvent => ({
  type: 'end',
  stopReason,
  usage: { inputTokens: 12, outputTokens: 5 },
});

describe('OpenAiChunkEncoder', () => {
  it('streams text as OpenAI does: opening role chunk, deltas, finish, usage chunk', () => {
    const encoder = new OpenAiChunkEncoder(meta, { includeUsage: true });
    const chunks = [{ type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }, end()].flatMap((e) => encoder.encode(e as ChatStreamEvent));
    const base = { id: 'chatcmpl-abc', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-local' };
    expect(chunks).toEqual([
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], usage: null },
      { ...base, choices: [{ index: 0, delta: { content: 'Hel' }, logprobs: null, finish_reason: null }], usage: null },
      { ...base, choices: [{ index: 0, delta: { content: 'lo' }, logprobs: null, finish_reason: null }], usage: null },
      { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null },
      { ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } },
    ]);
  });

  it('leaves usage out entirely when the client did not ask for it', () => {
    const encoder = new OpenAiChunkEncoder(meta, { includeUsage: false });
    const chunks = [{ type: 'text', text: 'x' } as ChatStreamEvent, end('stop_sequence')].flatMap((e) => encoder.encode(e));
    expect(chunks).toHaveLength(3);
    for (const chunk of chunks) expect(chunk).not.toHaveProperty('usage');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams thinking as reasoning_content and tool calls as OpenAI tool_call deltas', () => {
    const encoder = new OpenAiChunkEncoder(meta, { includeUsage: false });
    const events: ChatStreamEvent[] = [
      { type: 'thinking', text: 'need weather' },
      { type: 'tool_call_start', index: 0, id: 'call_9', name: 'weather' },
      { type: 'tool_call_delta', index: 0, argumentsJson: '{"city":' },
      { type: 'tool_call_delta', index: 0, argumentsJson: '"Paris"}' },
      { type: 'tool_call_start', index: 1, id: '', name: 'time' },
      { type: 'tool_call_delta', index: 1, argumentsJson: '' },
      // Ollama says end_turn even when it called tools: clients must still see tool_calls.
      end('end_turn'),
    ];
    const deltas = events.flatMap((e) => encoder.encode(e)).map((c) => [c.choices[0]?.delta, c.choices[0]?.finish_reason]);
    expect(deltas).toEqual([
      [{ role: 'assistant', content: '' }, null],
      [{ reasoning_content: 'need weather' }, null],
      [{ tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'weather', arguments: '' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, null],
      [{ tool_calls: [{ index: 1, id: 'call_abc_1', type: 'function', function: { name: 'time', arguments: '' } }] }, null],
      [{}, 'tool_calls'],
    ]);
  });

  it('maps every stop reason', () => {
    const reason = (stop: 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence', events: ChatStreamEvent[] = []) =>
      [...events, end(stop)].flatMap((e) => new OpenAiChunkEncoder(meta, { includeUsage: false }).encode(e)).at(-1)?.choices[0]?.finish_reason;
    expect(reason('end_turn')).toBe('stop');
    expect(reason('stop_sequence')).toBe('stop');
    expect(reason('max_tokens')).toBe('length');
    expect(reason('tool_use')).toBe('tool_calls');
  });

  it('sends nothing after the end', () => {
    const encoder = new OpenAiChunkEncoder(meta, { includeUsage: false });
    encoder.encode(end());
    expect(encoder.encode({ type: 'text', text: 'late' })).toEqual([]);
  });
});

describe('openAiChatSse', () => {
  it('writes data: lines and ends with [DONE]', async () => {
    const pieces = await collect(openAiChatSse(from([{ type: 'text', text: 'hi' }, end()]), meta, { includeUsage: false }));
    expect(pieces.at(-1)).toBe(SSE_DONE);
    for (const piece of pieces) expect(piece).toMatch(/^data: [^\n]+\n\n$/);
    expect(JSON.parse(pieces[1]!.slice(6))).toMatchObject({ choices: [{ delta: { content: 'hi' } }] });
  });

  it('reports a failure after the stream began as an error chunk, then [DONE]', async () => {
    const seen: unknown[] = [];
    const failure = new VigilError('provider_unavailable', 'Ollama went away', { retryAfterMs: 2000 });
    const pieces = await collect(openAiChatSse(from([{ type: 'text', text: 'partial' }], failure), meta, { includeUsage: true, onError: (e) => seen.push(e) }));
    expect(seen).toEqual([failure]);
    expect(pieces.slice(-2)).toEqual([
      `data: ${JSON.stringify({ error: { message: 'Ollama went away', type: 'server_error', param: null, code: 'provider_unavailable' } })}\n\n`,
      SSE_DONE,
    ]);
    // The partial text went out before it.
    expect(pieces.some((p) => p.includes('"partial"'))).toBe(true);
  });

  it('treats a stream that stops without its end as a failure, not a finished answer', async () => {
    const pieces = await collect(openAiChatSse(from([{ type: 'text', text: 'cut' }]), meta, { includeUsage: false }));
    expect(pieces.some((p) => p.includes('finish_reason":"stop'))).toBe(false);
    expect(pieces.at(-2)).toContain('"code":"provider_bad_output"');
  });

  it('hides the text of an unexpected error', async () => {
    const pieces = await collect(openAiChatSse(from([], new Error('secret path /home/x')), meta, { includeUsage: false }));
    expect(pieces[0]).toContain('internal error (see the server log)');
    expect(pieces.join('')).not.toContain('secret');
  });
});
