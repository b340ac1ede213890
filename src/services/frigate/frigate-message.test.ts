import { describe, expect, it } from 'vitest';
import { messageProgress, parseFrigateEventMessage, type FrigateEventMessage } from './frigate-message.ts';

/** Keys of a real Frigate 0.13 payload (issue #9876): no `active`, a `snapshot` object. */
const v013 = {
  id: '1704982841.123456-ab12cd',
  camera: 'front',
  frame_time: 1704982845.5,
  snapshot: { frame_time: 1704982844.1, box: [1, 2, 3, 4], area: 4, region: [0, 0, 320, 320], score: 0.8, attributes: [] },
  label: 'person',
  sub_label: null,
  top_score: 0.81,
  false_positive: false,
  start_time: 1704982841.1,
  end_time: null,
  score: 0.79,
  box: [1, 2, 3, 4],
  area: 4,
  ratio: 0.5,
  region: [0, 0, 320, 320],
  stationary: false,
  motionless_count: 0,
  position_changes: 1,
  current_zones: ['porch'],
  entered_zones: ['porch'],
  has_clip: false,
  has_snapshot: true,
  attributes: {},
  current_attributes: [],
};

const ok = (value: unknown): FrigateEventMessage => {
  const parsed = parseFrigateEventMessage(JSON.stringify(value));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.message;
};

describe('parseFrigateEventMessage', () => {
  it('reads a 0.13 payload', () => {
    const m = ok({ type: 'new', before: v013, after: v013 });
    expect(m.after).toMatchObject({ id: v013.id, camera: 'front', label: 'person', sub_label: null, end_time: null, entered_zones: ['porch'] });
  });

  it('keeps unknown and newer keys (0.15 speed, 0.16 plates) without complaint', () => {
    const newer = { ...v013, active: true, max_severity: 'alert', current_estimated_speed: 3.2, path_data: [[[0.1, 0.2], 1.5]], recognized_license_plate: 'ABC123', something_new: { x: 1 } };
    const m = ok({ type: 'update', before: newer, after: newer, extra: 1 });
    expect(m.after['recognized_license_plate']).toBe('ABC123');
  });

  it.each([
    [null, null],
    ['Alice', { name: 'Alice', score: null }],
    [['Alice', 0.79], { name: 'Alice', score: 0.79 }],
    // Issue 12: set through Frigate's API without a score, and not set yet.
    [['Bob', null], { name: 'Bob', score: null }],
    [[null, null], null],
    [undefined, null],
  ])('reads sub_label %j', (subLabel, expected) => {
    expect(ok({ type: 'end', after: { ...v013, sub_label: subLabel, end_time: 1704982850 } }).after.sub_label).toEqual(expected);
  });

  it('accepts a message without `before` and zones given as null', () => {
    expect(ok({ type: 'new', after: { ...v013, current_zones: null, entered_zones: undefined } }).after.entered_zones).toEqual([]);
  });

  it.each([
    ['not JSON', '{"type":', 'not JSON'],
    ['an unknown type', JSON.stringify({ type: 'finished', after: v013 }), 'type'],
    ['no after', JSON.stringify({ type: 'end' }), 'after'],
    ['a bad start time', JSON.stringify({ type: 'end', after: { ...v013, start_time: 'yesterday' } }), 'after.start_time'],
    ['a bad box', JSON.stringify({ type: 'end', after: { ...v013, box: [1, 2] } }), 'after.box'],
    ['an array', '[]', 'message'],
  ])('refuses %s with a reason', (_what, text, reason) => {
    const parsed = parseFrigateEventMessage(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe('messageProgress', () => {
  const at = (type: 'new' | 'update' | 'end', frame: number) => ok({ type, after: { ...v013, frame_time: frame, end_time: type === 'end' ? frame : null } });

  it('orders new < update < end, and later frames within a stage', () => {
    expect(messageProgress(at('new', 100))).toBeLessThan(messageProgress(at('update', 50)));
    expect(messageProgress(at('update', 50))).toBeLessThan(messageProgress(at('update', 60)));
    expect(messageProgress(at('update', 1e9 + 5))).toBeLessThan(messageProgress(at('end', 10)));
    expect(messageProgress(at('end', 10))).toBe(messageProgress(at('end', 10)));
  });
});
