import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import { parseOpenAiChatRequest } from './openai-chat-request.ts';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function body(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-local', messages: [{ role: 'user', content: 'hi' }], ...extra };
}

function refusal(input: unknown): VigilError {
  try {
    parseOpenAiChatRequest(input);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

describe('parseOpenAiChatRequest', () => {
  it('reads a minimal request with OpenAI defaults', () => {
    expect(parseOpenAiChatRequest(body())).toEqual({
      clientModel: 'gpt-local',
      stream: false,
      includeUsage: false,
      maxTokens: undefined,
      request: { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
    });
  });

  it('round-trips a multi-turn tool conversation into neutral blocks', () => {
    const parsed = parseOpenAiChatRequest({
      model: 'qwen',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'Two cities: two calls.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
        { role: 'user', content: 'And tomorrow?' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in Celsius.' }] },
      ],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'required',
    });
    expect(parsed.request.system).toBe('You are terse.\n\nAnswer in Celsius.');
    expect(parsed.request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Two cities: two calls.' },
          { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolUseId: 'call_1', content: [{ type: 'text', text: '18C' }], isError: false },
          { type: 'tool_result', toolUseId: 'call_2', content: [{ type: 'text', text: '24C' }], isError: false },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
    ]);
    expect(parsed.request.tools).toEqual([{ name: 'weather', description: 'Weather now', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }]);
    expect(parsed.request.toolChoice).toEqual({ type: 'any' });
  });

  it('keeps tool results of separate rounds in separate turns', () => {
    const parsed = parseOpenAiChatRequest(
      body({
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '' } }] },
          { role: 'tool', tool_call_id: 'a', content: 'one' },
          { role: 'assistant', content: '', tool_calls: [{ id: 'b', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'b', content: 'two' },
        ],
      }),
    );
    expect(parsed.request.messages.map((m) => [m.role, m.content.map((b) => b.type)])).toEqual([
      ['user', ['text']],
      ['assistant', ['tool_use']],
      ['user', ['tool_result']],
      ['assistant', ['tool_use']],
      ['user', ['tool_result']],
    ]);
    // "" arguments are a call without parameters.
    expect(parsed.request.messages[1]?.content[0]).toMatchObject({ type: 'tool_use', input: {} });
  });

  it('turns a base64 data: URL into an image block', () => {
    const parsed = parseOpenAiChatRequest(
      body({ messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: `data:image/jpg;base64,${PNG}`, detail: 'low' } }] }] }),
    );
    expect(parsed.request.messages[0]?.content).toEqual([
      { type: 'text', text: 'what is this?' },
      { type: 'image', image: { mediaType: 'image/jpeg', data: PNG } },
    ]);
  });

  it('refuses images it would have to fetch, and other inputs it cannot take, naming the field', () => {
    const at = (part: unknown) => refusal(body({ messages: [{ role: 'user', content: 'x' }, { role: 'user', content: [part] }] }));
    expect(at({ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }).message).toMatch(/^messages\[1\]\.content\[0\]\.image_url\.url: .*data: URL/);
    expect(at({ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }).message).toMatch(/"image\/tiff" is not supported/);
    expect(at({ type: 'image_url', image_url: { url: 'data:image/png,rawbytes' } }).message).toMatch(/base64/);
    expect(at({ type: 'image_url', image_url: { url: 'data:image/png;base64,@@@' } }).message).toMatch(/does not hold base64/);
    expect(at({ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }).message).toBe('messages[1].content[0].type: audio input is not supported');
    expect(at({ type: 'file', file: { file_id: 'f' } }).message).toMatch(/^messages\[1\]\.content\[0\]\.type: file input is not supported/);
    expect(at({ type: 'video', video: {} }).message).toBe('messages[1].content[0].type: expected a content part of type "text" or "image_url"');
  });

  it('refuses tool call arguments that are not a JSON object', () => {
    const call = (args: string) => body({ messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] }] });
    const notJson = refusal(call('{"city": '));
    expect(notJson.code).toBe('invalid_argument');
    expect(notJson.message).toBe('messages[0].tool_calls[0].function.arguments: expected a JSON object, got text that is not JSON');
    expect(refusal(call('[1,2]')).message).toBe('messages[0].tool_calls[0].function.arguments: expected a JSON object');
  });

  it('refuses the legacy function role and API with a pointer to tools', () => {
    expect(refusal(body({ messages: [{ role: 'function', name: 'f', content: 'x' }] })).message).toMatch(/^messages\[0\]\.role: the legacy "function" role/);
    expect(refusal(body({ functions: [{ name: 'f' }] })).message).toMatch(/^functions: .*use tools/);
    expect(refusal(body({ messages: [{ role: 'wizard', content: 'x' }] })).message).toMatch(/^messages\[0\]\.role: expected role/);
    expect(refusal(body({ messages: [{ role: 'assistant', content: null }] })).message).toBe('messages[0]: an assistant message needs content or tool_calls');
  });

  it('reads tools and every tool_choice, refusing what it cannot honour', () => {
    const tools = [{ type: 'function', function: { name: 'look' } }];
    expect(parseOpenAiChatRequest(body({ tools })).request.tools).toEqual([{ name: 'look', inputSchema: { type: 'object', properties: {} } }]);
    expect(parseOpenAiChatRequest(body({ tools, tool_choice: 'auto' })).request.toolChoice).toEqual({ type: 'auto' });
    expect(parseOpenAiChatRequest(body({ tools, tool_choice: 'none' })).request.toolChoice).toEqual({ type: 'none' });
    expect(parseOpenAiChatRequest(body({ tools, tool_choice: { type: 'function', function: { name: 'look' } } })).request.toolChoice).toEqual({ type: 'tool', name: 'look' });
    expect(refusal(body({ tools, tool_choice: { type: 'function', function: { name: 'other' } } })).message).toMatch(/^tool_choice\.function\.name: "other" is not among/);
    expect(refusal(body({ tools, tool_choice: { type: 'function' } })).message).toBe('tool_choice.function.name: expected the name of one of the tools');
    expect(refusal(body({ tools, tool_choice: { type: 'allowed_tools', allowed_tools: {} } })).message).toMatch(/^tool_choice\.type: "allowed_tools" is not supported/);
    expect(refusal(body({ tools: [{ type: 'custom', custom: { name: 'x' } }] })).message).toMatch(/^tools\[0\]\.type: tool type "custom" is not supported/);
    expect(refusal(body({ tools: [{ type: 'function', function: { name: 'has space' } }] })).message).toMatch(/^tools\[0\]\.function\.name: /);
  });

  it('reads the sampling and length options', () => {
    const parsed = parseOpenAiChatRequest(
      body({ max_tokens: 100, max_completion_tokens: 50, stop: 'END', temperature: 0.2, top_p: 0.9, top_k: 40, stream: true, stream_options: { include_usage: true } }),
    );
    expect(parsed).toMatchObject({ stream: true, includeUsage: true, maxTokens: 50 });
    expect(parsed.request).toMatchObject({ stop: ['END'], temperature: 0.2, topP: 0.9, topK: 40 });
    expect(parseOpenAiChatRequest(body({ max_tokens: 100, stop: ['a', 'b'] }))).toMatchObject({ maxTokens: 100, request: { stop: ['a', 'b'] } });
    // include_usage means nothing without a stream.
    expect(parseOpenAiChatRequest(body({ stream_options: { include_usage: true } })).includeUsage).toBe(false);
    expect(refusal(body({ temperature: 3 })).message).toBe('temperature: expected 0 to 2');
    expect(refusal(body({ max_tokens: 0 })).message).toBe('max_tokens: expected at least 1');
  });

  it('maps reasoning_effort to thinking on or off', () => {
    const thinking = (effort: string | undefined) => parseOpenAiChatRequest(body(effort === undefined ? {} : { reasoning_effort: effort })).request.thinking;
    expect(thinking(undefined)).toBeUndefined();
    expect(thinking('none')).toBe(false);
    expect(thinking('minimal')).toBe(false);
    expect(thinking('low')).toBe(true);
    expect(thinking('high')).toBe(true);
  });

  it('accepts and ignores the harmless fields, nulls included', () => {
    const parsed = parseOpenAiChatRequest(
      body({
        user: 'u1', seed: 7, metadata: { a: 'b' }, store: false, parallel_tool_calls: true, frequency_penalty: 0.5, presence_penalty: 0.1,
        logit_bias: { '50256': -100 }, n: 1, response_format: { type: 'text' }, logprobs: false, tools: null, stop: null, min_p: 0.05,
      }),
    );
    expect(parsed.request).toEqual({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
  });

  it('refuses what would change the answer, with a reason', () => {
    expect(refusal(body({ n: 2 })).message).toMatch(/^n: only one choice/);
    expect(refusal(body({ response_format: { type: 'json_object' } })).message).toMatch(/^response_format: type "json_object" is not supported yet/);
    expect(refusal(body({ response_format: { type: 'json_schema', json_schema: {} } })).message).toMatch(/not supported yet/);
    expect(refusal(body({ logprobs: true })).message).toMatch(/^logprobs: /);
    expect(refusal(body({ modalities: ['text', 'audio'] })).message).toMatch(/^modalities: /);
  });

  it('names the field of a malformed body', () => {
    expect(refusal(undefined).message).toBe('expected a JSON object body');
    expect(refusal({ messages: [] }).message).toBe('model: expected the model name');
    expect(refusal({ model: 'm', messages: [] }).message).toBe('messages: expected at least one message');
    expect(refusal(body({ messages: [{ role: 'user', content: 5 }] })).message).toBe('messages[0].content: expected a string or an array of content parts');
    expect(refusal(body({ messages: [{ role: 'tool', content: 'x' }] })).message).toMatch(/^messages\[0\]\.tool_call_id: /);
  });
});
