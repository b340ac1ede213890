/** An SSE comment: every client skips it, every proxy sees bytes move. */
export const SSE_COMMENT_HEARTBEAT = ': keep-alive\n\n';

export interface SseHeartbeat {
  /** A complete event (or comment) that clients ignore. */
  text: string;
  /** Sent when the stream has been silent this long (a model thinking with its reasoning hidden can be silent for minutes). */
  everyMs: number;
  /**
   * A client that has not taken an event for this long is dropped (onCancel), so that one that
   * stopped reading without closing (a laptop asleep, a stuck proxy) does not hold a model slot.
   */
  stalledMs?: number;
}

/**
 * Server-sent events pulled from `chunks` as the client reads: a slow client slows the backend
 * stream instead of piling text up here. A client that goes away cancels the stream, which ends
 * the backend request and frees its model slot at once; so does one that stops reading for
 * `stalledMs`. One interval per stream does the heartbeat and the stall watch; it never wraps the
 * chunks (which would cost every chunk a timer).
 */
export function sseResponse(chunks: AsyncGenerator<string>, onCancel: () => void, heartbeat?: SseHeartbeat): Response {
  const encoder = new TextEncoder();
  let lastSent = Date.now();
  /** When the last chunk was queued for a reader that has not asked for the next yet; undefined while it waits for us. */
  let unreadSince: number | undefined;
  let interval: ReturnType<typeof setInterval> | undefined;
  let finished = false;
  const stop = () => {
    finished = true;
    if (interval !== undefined) clearInterval(interval);
    interval = undefined;
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!heartbeat) return;
      const { everyMs, stalledMs } = heartbeat;
      const period = Math.max(1, Math.floor(Math.min(everyMs / 2, stalledMs === undefined ? Infinity : stalledMs / 4)));
      interval = setInterval(() => {
        const now = Date.now();
        if (unreadSince !== undefined) {
          if (stalledMs !== undefined && now - unreadSince >= stalledMs) {
            stop();
            onCancel();
            void chunks.return(undefined);
            controller.error(new Error('the client stopped reading'));
          }
          // Nothing more is queued for a reader that is not reading.
          return;
        }
        if (now - lastSent < everyMs) return;
        lastSent = now;
        controller.enqueue(encoder.encode(heartbeat.text));
      }, period);
      interval.unref?.();
    },
    async pull(controller) {
      unreadSince = undefined;
      try {
        const next = await chunks.next();
        if (finished) return;
        if (next.done) {
          stop();
          controller.close();
          return;
        }
        lastSent = Date.now();
        unreadSince = lastSent;
        controller.enqueue(encoder.encode(next.value));
      } catch (error) {
        if (finished) return;
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
