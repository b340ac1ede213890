/**
 * Splits a model's streamed text into reasoning and answer when the model writes its reasoning
 * inline as `<think>…</think>` (DeepSeek-R1 and its distills, QwQ, Qwen3 behind servers that do
 * not parse it out), so clients get it as thinking rather than as part of the answer.
 *
 * Only a block at the very start of the answer counts (leading whitespace allowed): that is where
 * every such model puts it, and an answer that talks about the tag later (code, HTML, docs) must
 * not lose text. After the closing tag the answer's leading whitespace is dropped (the models put
 * a blank line there). A model whose chat template already opened the block in the prompt (so the
 * output holds only `</think>`) is not recognised: telling that apart from an answer would mean
 * holding back the whole answer.
 *
 * Streaming: pieces come out as soon as they cannot be part of a tag, so without tags the text
 * passes straight through once its first non-blank characters rule out `<think>`; inside a block
 * only a suffix that could begin `</think>` is held back.
 */

export interface ThinkSplit {
  /** Reasoning found in this delta (comes before `text` when both are set). */
  thinking: string;
  text: string;
}

export interface ThinkTagSplitter {
  push(delta: string): ThinkSplit;
  /** The end of the stream: whatever was held back, as the part it was in. */
  flush(): ThinkSplit;
}

const OPEN = '<think>';
const CLOSE = '</think>';

type State = 'start' | 'thinking' | 'after' | 'text';

export function createThinkTagSplitter(): ThinkTagSplitter {
  let state: State = 'start';
  let held = '';

  const push = (delta: string): ThinkSplit => {
    let thinking = '';
    let text = '';
    let input = held + delta;
    held = '';
    // Each pass either consumes the input or holds it and stops; state only moves forward.
    for (;;) {
      if (state === 'start') {
        const trimmed = input.trimStart();
        if (trimmed === '' || (OPEN.startsWith(trimmed) && trimmed.length < OPEN.length)) {
          held = input;
          break;
        }
        if (trimmed.startsWith(OPEN)) {
          state = 'thinking';
          input = trimmed.slice(OPEN.length).replace(/^\s+/, '');
          continue;
        }
        state = 'text';
        continue;
      }
      if (state === 'thinking') {
        const end = input.indexOf(CLOSE);
        if (end >= 0) {
          thinking += input.slice(0, end);
          state = 'after';
          input = input.slice(end + CLOSE.length);
          continue;
        }
        const keep = partialSuffix(input, CLOSE);
        thinking += input.slice(0, input.length - keep);
        held = input.slice(input.length - keep);
        break;
      }
      if (state === 'after') {
        const rest = input.trimStart();
        if (rest === '') break;
        state = 'text';
        input = rest;
        continue;
      }
      text += input;
      break;
    }
    return { thinking, text };
  };

  const flush = (): ThinkSplit => {
    const rest = held;
    held = '';
    if (state === 'thinking') return { thinking: rest, text: '' };
    if (state === 'start') state = 'text';
    return { thinking: '', text: state === 'text' ? rest : '' };
  };

  return { push, flush };
}

/** How many characters at the end of `text` could be the start of `tag` (a tag split across deltas). */
function partialSuffix(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (tag.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}
