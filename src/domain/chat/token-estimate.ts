import type { ChatBlock, ChatRequest } from './chat-types.ts';

/**
 * How many tokens a prompt takes, estimated without the model's tokenizer (the gateway sits in front
 * of many models, each with its own, and none is loaded here). Used for count_tokens, where the
 * answer is labelled an estimate, and for a key's context cap, where a round number is enough.
 *
 * The rule, deterministic and cheap (one pass over the characters):
 * - CJK characters (Han, kana, Hangul, CJK and full-width punctuation): 1 token each; BPE
 *   vocabularies mostly give such a character a token of its own, sometimes two.
 * - ASCII and Latin-1 characters: 1 token per 4, the usual figure for English text and code.
 * - Any other character (Cyrillic, Greek, Arabic, Devanagari, emoji, ...): 1 token per 2; these are
 *   split into shorter pieces than Latin text by tokenizers trained mostly on English.
 * - Each image: {@link IMAGE_TOKENS}, whatever its size (vision encoders give 256 to about 1,600).
 * - Each message, the system prompt and each tool: {@link MESSAGE_TOKENS} / {@link TOOL_TOKENS} of
 *   overhead for the chat template's role markers and the tool's framing.
 * - Tool calls and tool definitions count as their JSON text.
 * The character classes are summed over the whole prompt and rounded up once, so splitting a text
 * into blocks does not change its count.
 */

export const IMAGE_TOKENS = 1_000;
export const MESSAGE_TOKENS = 4;
export const TOOL_TOKENS = 8;

/** Any UTF-16 unit above Latin-1 (surrogates included); text without one (English, code, JSON) is counted by its length. */
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/** Han (radicals, extensions, compatibility), kana, Hangul, CJK symbols and full-width forms. */
function isCjk(code: number): boolean {
  return (
    (code >= 0x2e80 && code <= 0x2fdf) ||
    (code >= 0x3000 && code <= 0x30ff) ||
    (code >= 0x3130 && code <= 0x318f) ||
    (code >= 0x31f0 && code <= 0x9fff) ||
    (code >= 0x1100 && code <= 0x11ff) ||
    (code >= 0xac00 && code <= 0xd7af) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xffef) ||
    (code >= 0x20000 && code <= 0x3ffff)
  );
}

interface Tally {
  latin: number;
  other: number;
  cjk: number;
  fixed: number;
}

/** One pass over UTF-16 code units (a prompt can be 100k characters, counted on every request). */
function countText(text: string, tally: Tally): void {
  if (!BEYOND_LATIN1.test(text)) {
    tally.latin += text.length;
    return;
  }
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code <= 0xff) {
      tally.latin += 1;
      continue;
    }
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      code = text.codePointAt(i) ?? code;
      i++;
    }
    if (isCjk(code)) tally.cjk += 1;
    else tally.other += 1;
  }
}

function countBlock(block: ChatBlock, tally: Tally): void {
  switch (block.type) {
    case 'text':
      countText(block.text, tally);
      return;
    case 'thinking':
      countText(block.text, tally);
      return;
    case 'image':
      tally.fixed += IMAGE_TOKENS;
      return;
    case 'tool_use':
      countText(block.name, tally);
      countText(JSON.stringify(block.input), tally);
      return;
    case 'tool_result':
      countText(block.toolUseId, tally);
      for (const inner of block.content) countBlock(inner, tally);
      return;
  }
}

export function estimateTokens(request: Pick<ChatRequest, 'system' | 'messages' | 'tools'>): number {
  const tally: Tally = { latin: 0, other: 0, cjk: 0, fixed: 0 };
  if (request.system !== undefined && request.system.length > 0) {
    tally.fixed += MESSAGE_TOKENS;
    countText(request.system, tally);
  }
  for (const message of request.messages) {
    tally.fixed += MESSAGE_TOKENS;
    for (const block of message.content) countBlock(block, tally);
  }
  for (const tool of request.tools ?? []) {
    tally.fixed += TOOL_TOKENS;
    countText(JSON.stringify({ name: tool.name, description: tool.description, parameters: tool.inputSchema }), tally);
  }
  return tally.fixed + tally.cjk + Math.ceil(tally.latin / 4) + Math.ceil(tally.other / 2);
}
