/** An SSE comment: every client skips it, every proxy sees bytes move. */
export const SSE_COMMENT_HEARTBEAT = ': keep-alive\n\n';

export interface SseHeartbeat {
  /** A complete event (or comment) that clients ignore. */
  text: string;
  /** Sent when the stream has been silent this long (a model thinking with its reasoning hidden can be silent for minutes). */
  everyMs: number;
}

/**
 * Server-sent events pulled from `chunks` as the client reads: a slow client slows the backend
 * stream instead of piling text up here. A client that goes away cancels the stream, which ends
 * the backend request and frees its model slot at once. One interval per stream puts the
 * heartbeat in during silences; it never wraps the chunks (which would cost every chunk a timer).
 */
export function sseResponse(chunks: AsyncGenerator<string>, onCancel: () => void, heartbeat?: SseHeartbeat): Response {
  const encoder = new TextEncoder();
  let lastSent = Date.now();
  let interval: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (interval !== undefined) clearInterval(interval);
    interval = undefined;
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!heartbeat) return;
      interval = setInterval(() => {
        if (Date.now() - lastSent < heartbeat.everyMs) return;
        lastSent = Date.now();
        controller.enqueue(encoder.encode(heartbeat.text));
      }, Math.max(1, Math.floor(heartbeat.everyMs / 2)));
      interval.unref?.();
    },
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) {
          stop();
          controller.close();
          return;
        }
        lastSent = Date.now();
        controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        stop();
        controller.error(error);
      }
    },
    cancel() {
      stop();
      onCancel();
      void chunks.return(undefined);
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' },
  });
}
