import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './chat-types.ts';
import { estimateTokens, IMAGE_TOKENS, MESSAGE_TOKENS, TOOL_TOKENS } from './token-estimate.ts';

function user(...texts: string[]): ChatMessage {
  return { role: 'user', content: texts.map((text) => ({ type: 'text', text })) };
}

describe('estimateTokens', () => {
  it('counts Latin text at 4 characters a token, plus the message overhead', () => {
    expect(estimateTokens({ messages: [user('a'.repeat(400))] })).toBe(MESSAGE_TOKENS + 100);
    expect(estimateTokens({ messages: [user('abcde')] })).toBe(MESSAGE_TOKENS + 2);
  });

  it('counts a CJK character as a token, other scripts at 2 characters a token', () => {
    expect(estimateTokens({ messages: [user('監視カメラの映像を確認してください。')] })).toBe(MESSAGE_TOKENS + 18);
    expect(estimateTokens({ messages: [user('감시 카메라')] })).toBe(MESSAGE_TOKENS + 5 + 1); // 5 Hangul, 1 space
    expect(estimateTokens({ messages: [user('Привет')] })).toBe(MESSAGE_TOKENS + 3);
  });

  it('rounds the whole prompt once, so splitting a text into blocks does not change its count', () => {
    const whole = estimateTokens({ messages: [user('abcdefgh')] });
    const split = estimateTokens({ messages: [user('abc', 'defgh')] });
    expect(split).toBe(whole);
  });

  it('adds the system prompt, a fixed cost per image and the JSON of tool calls and tools', () => {
    const base = estimateTokens({ messages: [user('hi')] });
    expect(estimateTokens({ system: 'a'.repeat(40), messages: [user('hi')] })).toBe(base + MESSAGE_TOKENS + 10);
    const withImage: ChatMessage = { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', image: { mediaType: 'image/png', data: 'A'.repeat(100_000) } }] };
    expect(estimateTokens({ messages: [withImage] })).toBe(base + IMAGE_TOKENS);
    const tool = { name: 'get_weather', description: 'Weather for a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } };
    const toolJson = JSON.stringify({ name: tool.name, description: tool.description, parameters: tool.inputSchema }).length;
    // The tool's JSON joins the prompt's Latin characters, which are rounded up once.
    expect(estimateTokens({ messages: [user('hi')], tools: [tool] })).toBe(MESSAGE_TOKENS + TOOL_TOKENS + Math.ceil((2 + toolJson) / 4));
  });

  it('counts a tool round trip: the call\'s name and input, the result\'s content', () => {
    const messages: ChatMessage[] = [
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'run', input: { cmd: 'ls' } }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 't1', content: [{ type: 'text', text: 'file.txt' }], isError: false }] },
    ];
    const chars = 'run'.length + JSON.stringify({ cmd: 'ls' }).length + 't1'.length + 'file.txt'.length;
    expect(estimateTokens({ messages })).toBe(2 * MESSAGE_TOKENS + Math.ceil(chars / 4));
  });

  it('is deterministic and grows with the prompt', () => {
    const small = { messages: [user('hello world')] };
    const large = { messages: [user('hello world'), user('and more text here')] };
    expect(estimateTokens(small)).toBe(estimateTokens(small));
    expect(estimateTokens(large)).toBeGreaterThan(estimateTokens(small));
  });
});
