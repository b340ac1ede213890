/** An SSE comment: every client skips it, every proxy sees bytes move. */
export const SSE_COMMENT_HEARTBEAT = ': keep-alive\n\n';

/**
 * `chunks` with `heartbeat` put in whenever they are silent for `everyMs` (a model thinking with
 * its reasoning hidden can be silent for minutes). The pending chunk is never dropped: the timer
 * only races it.
 */
export async function* withHeartbeat(chunks: AsyncGenerator<string>, heartbeat: string, everyMs: number): AsyncGenerator<string> {
  let pending = chunks.next();
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tick = new Promise<'tick'>((resolve) => {
        timer = setTimeout(() => resolve('tick'), everyMs);
      });
      const next = await Promise.race([pending, tick]).finally(() => clearTimeout(timer));
      if (next === 'tick') {
        yield heartbeat;
        continue;
      }
      if (next.done) return;
      yield next.value;
      pending = chunks.next();
    }
  } finally {
    await chunks.return(undefined);
  }
}

/**
 * Server-sent events pulled from `chunks` as the client reads: a slow client slows the backend
 * stream instead of piling text up here. A client that goes away cancels the stream, which ends
 * the backend request and frees its model slot at once.
 */
export function sseResponse(chunks: AsyncGenerator<string>, onCancel: () => void): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        controller.error(error);
      }
    },
    cancel() {
      onCancel();
      void chunks.return(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
}
