import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../../../domain/errors.ts';
import { countTokensResponse, parseAnthropicRequest, parseCountTokensRequest } from './anthropic-request.ts';

const claudeCode = JSON.parse(readFileSync(new URL('../../../../test/fixtures/gateway/claude-code-request.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function body(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...extra };
}

/** The VigilError a bad body throws (fails the test if none is thrown). */
function rejection(value: unknown): VigilError {
  try {
    parseAnthropicRequest(value);
  } catch (error) {
    if (error instanceof VigilError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

describe('parseAnthropicRequest: the saved Claude Code request', () => {
  const parsed = parseAnthropicRequest(claudeCode);

  it('keeps the model, stream, max_tokens and the adaptive thinking with display omitted', () => {
    expect(parsed.clientModel).toBe('qwen3:8b');
    expect(parsed.stream).toBe(true);
    expect(parsed.maxTokens).toBe(32000);
    expect(parsed.request.thinking).toBe(true);
    expect(parsed.showThinking).toBe(false);
  });

  it('keeps all 12 tools, the deferred one included, with their schemas', () => {
    const tools = parsed.request.tools ?? [];
    expect(tools.map((t) => t.name)).toEqual([
      'Agent', 'Bash', 'Edit', 'ListAgents', 'Read', 'ReportFindings', 'ScheduleWakeup', 'Skill', 'ToolSearch', 'Workflow', 'DeferredToolPlaceholder', 'Write',
    ]);
    const bash = tools.find((t) => t.name === 'Bash');
    expect(bash?.inputSchema).toMatchObject({ type: 'object', properties: { command: { type: 'string' } } });
    expect(bash?.description).toMatch(/^Executes a bash command/);
  });

  it('folds the system blocks, then the system turn inside messages, into one system prompt in order', () => {
    const system = parsed.request.system ?? '';
    const billing = system.indexOf('x-anthropic-billing-header');
    const agent = system.indexOf("You are a Claude agent, built on Anthropic's Claude Agent SDK.");
    const env = system.indexOf('# Environment');
    expect(billing).toBe(0);
    expect(agent).toBeGreaterThan(billing);
    expect(env).toBeGreaterThan(agent);
    expect(system).toContain('You are powered by the model qwen3:8b.');
  });

  it('leaves one user message with its two text blocks', () => {
    expect(parsed.request.messages).toHaveLength(1);
    const [message] = parsed.request.messages;
    expect(message?.role).toBe('user');
    expect(message?.content.map((b) => (b.type === 'text' ? b.text : b.type))).toEqual([expect.stringContaining('<system-reminder>'), 'say pong']);
  });
});

describe('parseAnthropicRequest: messages', () => {
  it('round-trips a multi-turn tool conversation', () => {
    const parsed = parseAnthropicRequest(
      body({
        system: 'You run tools.',
        tools: [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
        tool_choice: { type: 'auto', disable_parallel_tool_use: true },
        messages: [
          { role: 'user', content: 'Weather in Paris and Oslo?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Two cities, two calls.', signature: '' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C', cache_control: { type: 'ephemeral' } },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'timeout' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1PX } }], is_error: true },
            ],
          },
          { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'abc' }, { type: 'text', text: 'Paris is 18°C.' }] },
          { role: 'user', content: 'Thanks' },
        ],
      }),
    );
    expect(parsed.request).toEqual({
      system: 'You run tools.',
      tools: [{ name: 'get_weather', description: 'Weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: { type: 'auto' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Oslo?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'Two cities, two calls.' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolUseId: 'toolu_1', content: [{ type: 'text', text: '18°C' }], isError: false },
            {
              type: 'tool_result',
              toolUseId: 'toolu_2',
              content: [{ type: 'text', text: 'timeout' }, { type: 'image', image: { mediaType: 'image/png', data: PNG_1PX } }],
              isError: true,
            },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Paris is 18°C.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      ],
    });
  });

  it('takes sampling settings, stop sequences and thinking', () => {
    const parsed = parseAnthropicRequest(
      body({ temperature: 0.2, top_p: 0.9, top_k: 40, stop_sequences: ['END'], thinking: { type: 'enabled', budget_tokens: 2048 }, stream: false }),
    );
    expect(parsed.request).toMatchObject({ temperature: 0.2, topP: 0.9, topK: 40, stop: ['END'], thinking: true });
    expect(parsed.showThinking).toBe(true);
    expect(parsed.stream).toBe(false);
    expect(parseAnthropicRequest(body({ thinking: { type: 'disabled' } })).request.thinking).toBe(false);
    expect(parseAnthropicRequest(body()).request).not.toHaveProperty('thinking');
  });

  it('turns a base64 image into an image block', () => {
    const parsed = parseAnthropicRequest(
      body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1PX } }, { type: 'text', text: 'What is this?' }] }] }),
    );
    expect(parsed.request.messages[0]?.content[0]).toEqual({ type: 'image', image: { mediaType: 'image/png', data: PNG_1PX } });
  });

  it('merges consecutive turns of one role and drops empty text blocks', () => {
    const parsed = parseAnthropicRequest(
      body({
        messages: [
          { role: 'user', content: 'one' },
          { role: 'system', content: 'be brief' },
          { role: 'user', content: [{ type: 'text', text: '' }, { type: 'text', text: 'two' }] },
        ],
      }),
    );
    expect(parsed.request.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] }]);
    expect(parsed.request.system).toBe('be brief');
  });

  it('turns search results and tool references in tool results into text', () => {
    const parsed = parseAnthropicRequest(
      body({
        messages: [
          { role: 'user', content: 'find a tool' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'ToolSearch', input: { query: 'notebook' } }] },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 't1',
                content: [{ type: 'tool_reference', tool_name: 'NotebookEdit' }, { type: 'search_result', title: 'Doc', source: 'https://x', content: [{ type: 'text', text: 'body' }] }],
              },
            ],
          },
        ],
      }),
    );
    expect(parsed.request.messages[2]?.content[0]).toEqual({
      type: 'tool_result',
      toolUseId: 't1',
      isError: false,
      content: [{ type: 'text', text: 'Tool NotebookEdit is available.' }, { type: 'text', text: 'Doc (https://x)\nbody' }],
    });
  });
});

describe('parseAnthropicRequest: refusals name the field and say what to send', () => {
  it.each([
    ['a missing max_tokens', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, /^max_tokens: /],
    ['a zero max_tokens', body({ max_tokens: 0 }), /^max_tokens: expected a whole number of at least 1/],
    ['a missing model', { max_tokens: 5, messages: [] }, /^model: /],
    ['no user or assistant message', body({ messages: [{ role: 'system', content: 'x' }] }), /^messages: expected at least one/],
    ['an unknown role', body({ messages: [{ role: 'tool', content: 'x' }] }), /^messages\.0\.role: /],
    ['an unknown block type', body({ messages: [{ role: 'user', content: [{ type: 'video' }] }] }), /^messages\.0\.content\.0\.type: expected a content block of type/],
    ['an image URL', body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }), /^messages\.0\.content\.0\.source: image URLs are not fetched.*"type": "base64"/],
    ['an image file', body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }), /^messages\.0\.content\.0\.source: the Files API/],
    ['an unsupported image type', body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'AAAA' } }] }] }), /media_type: expected one of image\/jpeg/],
    ['an image with a data: prefix', body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: `data:image/png;base64,${PNG_1PX}` } }] }] }), /data: expected base64/],
    ['a document', body({ messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', data: 'x' } }] }] }), /^messages\.0\.content\.0: document blocks .* send the document's text as a text block/],
    ['a server tool block', body({ messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 's', name: 'web_search', input: {} }] }] }), /server tools/],
    ['a server tool', body({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }), /^tools\.0\.type: "web_search_20250305" is one of Anthropic's server tools/],
    ['a tool without input_schema', body({ tools: [{ name: 'x' }] }), /^tools\.0\.input_schema: /],
    ['two tools of one name', body({ tools: [{ name: 'x', input_schema: {} }, { name: 'x', input_schema: {} }] }), /^tools\.1\.name: another tool/],
    ['a tool_choice naming no tool', body({ tools: [{ name: 'x', input_schema: {} }], tool_choice: { type: 'tool', name: 'y' } }), /^tool_choice\.name: no tool is named "y"/],
    ['tool_choice any without tools', body({ tool_choice: { type: 'any' } }), /^tool_choice\.type: "any" needs at least one tool/],
    ['a tool_use in a user turn', body({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] }), /^messages\.0\.content\.0: tool_use blocks belong in assistant turns/],
    ['a tool_result answering nothing', body({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'nope', content: 'x' }] }] }), /^messages\.0\.content\.0\.tool_use_id: no earlier tool_use/],
    ['a tool_use input that is not an object', body({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'b', input: 'x' }] }] }), /input: expected the tool input as a JSON object/],
    ['an image in a system turn', body({ messages: [{ role: 'system', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1PX } }] }, { role: 'user', content: 'x' }] }), /^messages\.0\.content\.0: a system turn holds text blocks only/],
    ['a temperature above 1', body({ temperature: 1.5 }), /^temperature: expected a number from 0 to 1/],
    ['structured outputs', body({ output_config: { effort: 'high', format: { type: 'json_schema', schema: {} } } }), /^output_config\.format: structured outputs/],
    ['remote MCP servers', body({ mcp_servers: [{ type: 'url', url: 'https://m', name: 'm' }] }), /^mcp_servers: remote MCP servers/],
    ['an unknown thinking type', body({ thinking: { type: 'sometimes' } }), /^thinking\.type: expected thinking of type/],
    ['content that is a number', body({ messages: [{ role: 'user', content: 5 }] }), /^messages\.0\.content: expected a string or an array of content blocks/],
  ])('refuses %s', (_what, value, message) => {
    const error = rejection(value);
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toMatch(message);
  });

  it('ignores fields that change nothing a local model could honour', () => {
    const parsed = parseAnthropicRequest(
      body({
        metadata: { user_id: 'u' },
        service_tier: 'auto',
        context_management: { edits: [] },
        output_config: { effort: 'low' },
        container: null,
        mcp_servers: [],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' }, citations: null }] }],
        tools: [{ name: 'x', input_schema: { type: 'object' }, defer_loading: true, strict: true, cache_control: { type: 'ephemeral' } }],
      }),
    );
    expect(parsed.request.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    expect(parsed.request.tools).toEqual([{ name: 'x', inputSchema: { type: 'object' } }]);
  });
});

describe('parseCountTokensRequest', () => {
  it('reads the same fields without max_tokens and stream', () => {
    const parsed = parseCountTokensRequest({ model: 'm', system: [{ type: 'text', text: 'sys' }], messages: [{ role: 'user', content: 'hi' }] });
    expect(parsed).toEqual({ clientModel: 'm', request: { system: 'sys', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] } });
  });

  it('parses the Claude Code request too, and refuses what /v1/messages refuses', () => {
    const { max_tokens: _max, stream: _stream, ...rest } = claudeCode;
    expect(parseCountTokensRequest(rest).request.tools).toHaveLength(12);
    expect(() => parseCountTokensRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'document' }] }] })).toThrow(/document blocks/);
  });

  it('answers { input_tokens }', () => {
    expect(countTokensResponse(42)).toEqual({ input_tokens: 42 });
  });
});
