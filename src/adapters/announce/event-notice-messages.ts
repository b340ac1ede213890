import { z } from 'zod';
import type { EventNotice } from '../../ports/event-feed.ts';

/**
 * Event notices as broadcast messages between Vigil processes (SharedEventFeed): the event's id
 * and what changed, not the event (the receiver reads it from the shared storage, where it
 * already is), and a description's text when it fits a message (descriptions are short; a longer
 * one is read from the storage too).
 *
 *   {"v":1,"from":"<process>","notices":[{"change":"new","event":"<id>"},{"change":"described","event":"<id>","text":"…"}]}
 */
export type NoticeRef = { change: 'new' | 'update'; eventId: string } | { change: 'described'; eventId: string; text?: string };

export interface NoticeMessage {
  /** The process that sent it (it ignores its own). */
  from: string;
  notices: NoticeRef[];
}

const wireNotice = z.discriminatedUnion('change', [
  z.object({ change: z.enum(['new', 'update']), event: z.string().min(1) }),
  z.object({ change: z.literal('described'), event: z.string().min(1), text: z.string().optional() }),
]);
const wireMessage = z.object({ v: z.literal(1), from: z.string().min(1), notices: z.array(wireNotice) });
type WireNotice = z.infer<typeof wireNotice>;

function toWire(notice: EventNotice): WireNotice {
  const event = notice.stored.event.id;
  return notice.change === 'described' ? { change: 'described', event, text: notice.description } : { change: notice.change, event };
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const encode = (from: string, notices: readonly WireNotice[]) => JSON.stringify({ v: 1, from, notices });

/**
 * The notices in as few messages as fit `maxBytes` each, in order. A described notice that does
 * not fit a message on its own goes without its text (the receiver reads it from the storage).
 */
export function encodeNoticeMessages(from: string, notices: readonly EventNotice[], maxBytes: number): string[] {
  const messages: string[] = [];
  let batch: WireNotice[] = [];
  for (const notice of notices.map(toWire)) {
    if (bytes(encode(from, [...batch, notice])) <= maxBytes) {
      batch.push(notice);
      continue;
    }
    if (batch.length > 0) messages.push(encode(from, batch));
    batch = [fitAlone(from, notice, maxBytes)];
  }
  if (batch.length > 0) messages.push(encode(from, batch));
  return messages;
}

function fitAlone(from: string, notice: WireNotice, maxBytes: number): WireNotice {
  if (bytes(encode(from, [notice])) <= maxBytes) return notice;
  const bare: WireNotice = notice.change === 'described' ? { change: 'described', event: notice.event } : notice;
  if (bytes(encode(from, [bare])) > maxBytes) throw new RangeError(`An event notice does not fit a message of ${maxBytes} bytes`);
  return bare;
}

/** A message read back, or the reason it is not one (another version's, or garbage). */
export function decodeNoticeMessage(message: string): { ok: true; value: NoticeMessage } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = wireMessage.safeParse(json);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') };
  return {
    ok: true,
    value: {
      from: parsed.data.from,
      notices: parsed.data.notices.map((n): NoticeRef => {
        if (n.change !== 'described') return { change: n.change, eventId: n.event };
        return n.text === undefined ? { change: 'described', eventId: n.event } : { change: 'described', eventId: n.event, text: n.text };
      }),
    },
  };
}
