import { describe, expect, it } from 'vitest';
import { storedEvent } from '../../../test/factories/stored-events.ts';
import type { EventNotice } from '../../ports/event-feed.ts';
import { decodeNoticeMessage, encodeNoticeMessages } from './event-notice-messages.ts';

const stored = (id: string) => storedEvent({ id, startMs: 1_000, en: 'a person crossed', zhHant: '有人經過' });
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('event notices as broadcast messages', () => {
  it('round-trips new, update and described notices in order, by event id', () => {
    const notices: EventNotice[] = [
      { change: 'new', stored: stored('e1') },
      { change: 'update', stored: stored('e1') },
      { change: 'described', stored: stored('e2'), description: '一個人在門口停留 "quoted"\nline two' },
    ];
    const messages = encodeNoticeMessages('host:1:abc', notices, 7_900);
    expect(messages).toHaveLength(1);
    expect(decodeNoticeMessage(messages[0]!)).toEqual({
      ok: true,
      value: {
        from: 'host:1:abc',
        notices: [
          { change: 'new', eventId: 'e1' },
          { change: 'update', eventId: 'e1' },
          { change: 'described', eventId: 'e2', text: '一個人在門口停留 "quoted"\nline two' },
        ],
      },
    });
  });

  it('splits many notices over messages that each fit, keeping their order', () => {
    const notices: EventNotice[] = Array.from({ length: 500 }, (_, i) => ({ change: 'new', stored: stored(`event-${String(i).padStart(4, '0')}`) }));
    const messages = encodeNoticeMessages('p', notices, 1_000);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(bytes(message)).toBeLessThanOrEqual(1_000);
    const ids = messages.flatMap((m) => {
      const decoded = decodeNoticeMessage(m);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.value.notices.map((n) => n.eventId);
    });
    expect(ids).toEqual(notices.map((n) => n.stored.event.id));
  });

  it('sends a description too long for a message without its text, for the receiver to read it from the storage', () => {
    const long = '門口有人'.repeat(3_000);
    const messages = encodeNoticeMessages('p', [{ change: 'new', stored: stored('e0') }, { change: 'described', stored: stored('e1'), description: long }], 7_900);
    for (const message of messages) expect(bytes(message)).toBeLessThanOrEqual(7_900);
    const notices = messages.flatMap((m) => {
      const decoded = decodeNoticeMessage(m);
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.value.notices;
    });
    expect(notices).toEqual([
      { change: 'new', eventId: 'e0' },
      { change: 'described', eventId: 'e1' },
    ]);
  });

  it('refuses a limit that not even an id fits in, instead of looping or sending too much', () => {
    expect(() => encodeNoticeMessages('p', [{ change: 'new', stored: stored('e1') }], 20)).toThrow(RangeError);
    expect(() => encodeNoticeMessages('p', [{ change: 'described', stored: stored('e1'), description: 'x'.repeat(100) }], 20)).toThrow(RangeError);
    // A text that does not fit is left out; an id alone that does not fit is an error.
  });

  it('says why a message is not a notice (garbage, another version, a missing field)', () => {
    expect(decodeNoticeMessage('not json')).toEqual({ ok: false, reason: 'not JSON' });
    expect(decodeNoticeMessage(JSON.stringify({ v: 2, from: 'p', notices: [] })).ok).toBe(false);
    const missing = decodeNoticeMessage(JSON.stringify({ v: 1, from: 'p', notices: [{ change: 'update' }] }));
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.reason).toContain('notices.0.event');
  });
});
