/**
 * Framing for streamed answers: newline-delimited JSON (Ollama) and server-sent events (OpenAI
 * and compatible servers), turning the decoded text of a body into whole records. Records are
 * handed out one by one as the consumer asks, so a slow consumer slows the reading of the body
 * rather than growing a buffer, and stopping early stops the body.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** Longest line or event kept while waiting for its end: a server that never ends one is broken, not slow. */
export const MAX_RECORD_CHARS = 8 * 1024 * 1024;

export interface LineSplitter {
  /** The complete lines in `text` (without their \n or \r\n), keeping a trailing partial line for later. */
  push(text: string): string[];
  /** The last line when the body did not end with a newline ('' when nothing is left). */
  flush(): string;
  /** Characters held while waiting for a newline. */
  readonly pending: number;
}

export function createLineSplitter(): LineSplitter {
  let partial = '';
  return {
    push(text) {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      return parts.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
    },
    flush() {
      const rest = partial.endsWith('\r') ? partial.slice(0, -1) : partial;
      partial = '';
      return rest;
    },
    get pending() {
      return partial.length;
    },
  };
}

/** The non-blank lines of a text stream. Throws `tooLong()` when one line passes MAX_RECORD_CHARS. */
export async function* textLines(chunks: AsyncIterable<string>, tooLong: () => Error): AsyncGenerator<string> {
  const splitter = createLineSplitter();
  for await (const chunk of chunks) {
    for (const line of splitter.push(chunk)) if (line.trim() !== '') yield line;
    if (splitter.pending > MAX_RECORD_CHARS) throw tooLong();
  }
  const last = splitter.flush();
  if (last.trim() !== '') yield last;
}

/** The events of a text/event-stream body (comments and retry fields are dropped, as clients do). */
export async function* sseEvents(chunks: AsyncIterable<string>, tooLong: () => Error): AsyncGenerator<EventSourceMessage> {
  const ready: EventSourceMessage[] = [];
  let failure: Error | undefined;
  const parser = createParser({
    maxBufferSize: MAX_RECORD_CHARS,
    onEvent: (event) => ready.push(event),
    onError: (error) => {
      // The only parse error that stops the parser is an over-long buffer; others are invalid lines the spec says to ignore.
      if (error.type === 'max-buffer-size-exceeded') failure = tooLong();
    },
  });
  for await (const chunk of chunks) {
    parser.feed(chunk);
    if (failure !== undefined) throw failure;
    while (ready.length > 0) yield ready.shift() as EventSourceMessage;
  }
  // An event cut off before its blank line is dropped, as the SSE spec says; callers notice the missing end.
}
