import { describe, expect, it } from 'vitest';
import { frigateToVigilEvent } from './frigate-event-mapping.ts';
import { frigateEventMessageSchema, type FrigateMessageType } from './frigate-message.ts';
import { cameraRules, decideTrigger, vigilCameraId, vigilEventId, type FrigateTriggerSettings } from './frigate-triggers.ts';

const message = (type: FrigateMessageType, after: Record<string, unknown> = {}) =>
  frigateEventMessageSchema.parse({
    type,
    after: { id: '1795000000.5-abc', camera: 'Front_Door', label: 'person', start_time: 1795000000, end_time: type === 'end' ? 1795000030 : null, top_score: 0.9, ...after },
  });

const settings: FrigateTriggerSettings = {
  triggers: ['end'],
  cameras: {
    Front_Door: { enabled: true, vigilCamera: 'front', objects: ['person', 'car'], requiredZones: ['porch', 'drive'], restrictedZones: ['porch'] },
    attic: { enabled: false, vigilCamera: 'attic', requiredZones: [], restrictedZones: [] },
  },
};

describe('decideTrigger', () => {
  it('takes a configured trigger that passes the filters', () => {
    expect(decideTrigger(message('end', { entered_zones: ['porch'] }), settings, false)).toMatchObject({ accept: true, camera: { vigilCamera: 'front' } });
  });

  it.each([
    ['a type that is not a trigger', message('new', { entered_zones: ['porch'] }), 'not a trigger'],
    ['a label outside objects', message('end', { label: 'dog', entered_zones: ['porch'] }), 'not in objects'],
    ['no required zone entered', message('end', { entered_zones: ['garden'] }), 'required zone'],
    ['a false positive', message('end', { false_positive: true, entered_zones: ['porch'] }), 'false positive'],
    ['a disabled camera', message('end', { camera: 'attic' }), 'disabled'],
  ])('refuses %s', (_what, m, reason) => {
    const decision = decideTrigger(m, settings, false);
    expect(decision.accept).toBe(false);
    if (!decision.accept) expect(decision.reason).toContain(reason);
  });

  it('always takes the end of an event it already follows', () => {
    const onNew: FrigateTriggerSettings = { ...settings, triggers: ['new'] };
    expect(decideTrigger(message('end', { entered_zones: ['drive'] }), onNew, true).accept).toBe(true);
    expect(decideTrigger(message('end', { entered_zones: ['drive'] }), onNew, false).accept).toBe(false);
    expect(decideTrigger(message('update', { entered_zones: ['drive'] }), onNew, true).accept).toBe(false);
  });

  it('counts current zones for required zones and takes unlisted cameras without filters', () => {
    expect(decideTrigger(message('end', { current_zones: ['drive'] }), settings, false).accept).toBe(true);
    expect(decideTrigger(message('end', { camera: 'Back-Yard', label: 'cat' }), settings, false)).toMatchObject({ accept: true, camera: { vigilCamera: 'back-yard' } });
  });
});

describe('ids', () => {
  it('maps Frigate names and ids to safe, deterministic Vigil ids', () => {
    expect(vigilCameraId('Front_Door')).toBe('front_door');
    expect(vigilCameraId('Cam 2!')).toBe('cam-2-');
    expect(vigilCameraId('__')).toBe('frigate');
    expect(vigilEventId('1607123955.475377-mxklsc')).toBe('frigate-1607123955_475377-mxklsc');
    expect(vigilEventId('1607123955.475377-mxklsc')).toBe(vigilEventId('1607123955.475377-mxklsc'));
  });

  it('never gives two Frigate ids one Vigil id (issue 12: ".", "/" and "_" used to collide)', () => {
    const ids = ['1607123955.475377-abc', '1607123955_475377-abc', '1607123955/475377-abc', '1607123955.475377-ABC', '1607123955.475377-abc~5f'];
    const mapped = ids.map((id) => vigilEventId(id));
    expect(new Set(mapped).size).toBe(ids.length);
    expect(mapped.slice(1, 4)).toEqual(['frigate-1607123955~5f475377-abc', 'frigate-1607123955~2f475377-abc', 'frigate-1607123955_475377-~41~42~43']);
    for (const id of mapped) expect(id).toMatch(/^[a-z0-9_~-]+$/);
    expect(vigilEventId('1.2', { escapeDots: true })).toBe('frigate-1~2e2');
  });
});

describe('frigateToVigilEvent', () => {
  const camera = { ...cameraRules(settings, 'Front_Door'), cameraName: 'Front door', timeZone: 'Asia/Taipei' };

  it('is an intrusion when a restricted zone was entered, with bilingual summaries', () => {
    const event = frigateToVigilEvent(message('end', { entered_zones: ['drive', 'porch'], sub_label: ['Bob', 0.8] }), camera);
    expect(event).toMatchObject({ id: 'frigate-1795000000_5-abc', cameraId: 'front', type: 'intrusion', rule: 'porch', status: 'closed', labels: ['person'], actors: [{ trackId: 'p1', label: 'person', family: 'person' }], details: { dwellSeconds: 30 } });
    expect(event.summary.en).toBe('Person p1 entered the restricted zone porch at 19:06:40 and stayed 30 s, recognised as Bob');
    expect(event.summary.zhHant).toBe('人物 p1 於 19:06:40 闖入禁區「porch」，停留 30 秒，辨識為 Bob');
    expect(event.keywords).toEqual(expect.arrayContaining(['person', '人物', 'intrusion', 'porch', 'frigate', 'bob', 'drive']));
  });

  it('is an open object_seen while Frigate still tracks it', () => {
    const event = frigateToVigilEvent(message('new', { label: 'car', frame_time: 1795000004 }), camera);
    expect(event).toMatchObject({ type: 'object_seen', rule: 'car', status: 'open', startMs: 1795000000000, endMs: 1795000004000, actors: [{ trackId: 'v1' }] });
    expect(event.summary.en).toBe('Car v1 seen since 19:06:40');
  });
});
