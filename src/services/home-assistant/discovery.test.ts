import { describe, expect, it } from 'vitest';
import { cameraSensor, HA_MAX_STATE, haSlug, imageKey, imageSensor, instanceTopicPrefix, objectId, truncateState } from './discovery.ts';

const ctx = { discoveryPrefix: 'homeassistant', topicPrefix: 'vigil', nodeId: 'vigil', version: '1.2.3' };

describe('truncateState', () => {
  it('leaves short text alone (whitespace folded)', () => {
    expect(truncateState('  A person\n at the door ')).toBe('A person at the door');
  });

  it('cuts long text to 255 code points, at a word when one is near, with an ellipsis', () => {
    const text = 'word '.repeat(100);
    const cut = truncateState(text);
    expect(Array.from(cut).length).toBeLessThanOrEqual(HA_MAX_STATE);
    expect(cut.endsWith('word…')).toBe(true);
  });

  it('counts characters as Home Assistant does, so Chinese and emoji are not over-cut or split', () => {
    const zh = '有人'.repeat(200);
    expect(Array.from(truncateState(zh)).length).toBe(HA_MAX_STATE);
    const emoji = '🚶'.repeat(300);
    const cut = truncateState(emoji);
    expect(Array.from(cut).length).toBe(HA_MAX_STATE);
    expect(cut).not.toContain('\uFFFD');
    expect(Array.from(truncateState('x'.repeat(255))).length).toBe(255);
  });
});

describe('discovery configs', () => {
  it('builds a camera sensor with availability, device and default_entity_id', () => {
    const s = cameraSensor(ctx, { id: 'back', name: 'Back door' });
    expect(s.configTopic).toBe('homeassistant/sensor/vigil_back_last_event/config');
    expect(s.stateTopic).toBe('vigil/camera/back/last_event');
    expect(s.config).toMatchObject({
      unique_id: 'vigil_back_last_event',
      default_entity_id: 'sensor.vigil_back_last_event',
      json_attributes_topic: 'vigil/camera/back/last_event/attributes',
      availability: [{ topic: 'vigil/status' }],
      device: { identifiers: ['vigil'], sw_version: '1.2.3' },
      origin: { name: 'Vigil', sw_version: '1.2.3' },
    });
    expect(s.config).not.toHaveProperty('object_id');
  });

  it('makes image names safe as object ids, and keeps two Vigil instances apart', () => {
    const s = imageSensor({ ...ctx, nodeId: 'Vigil-Garage', topicPrefix: 'garage/vigil' }, 'Front.Porch');
    expect(s.configTopic).toBe('homeassistant/sensor/vigil-garage_image_front_porch/config');
    // The entity id as Home Assistant slugifies: the hyphen becomes "_" (issue 12).
    expect(s.config).toMatchObject({ default_entity_id: 'sensor.vigil_garage_image_front_porch', availability: [{ topic: 'garage/vigil/status' }], device: { name: 'Vigil (Vigil-Garage)' } });
    expect(objectId('a b.c/d')).toBe('a_b_c_d');
  });

  it('gives cameras with hyphens the documented entity id sensor.vigil_<camera>_last_event', () => {
    const s = cameraSensor(ctx, { id: 'back-door', name: 'Back door' });
    expect(s.config).toMatchObject({ default_entity_id: 'sensor.vigil_back_door_last_event', state_topic: 'vigil/camera/back-door/last_event' });
    // The unique id keeps its spelling, so Home Assistant keeps the entity it already has.
    expect(s.config['unique_id']).toBe('vigil_back-door_last_event');
  });
});

describe('haSlug', () => {
  it.each([
    ['Back-Door', 'back_door'],
    ['  front  porch!! ', 'front_porch'],
    ['a__b--c', 'a_b_c'],
    ["Bob's car", 'bobs_car'],
    ['Café Entrée', 'cafe_entree'],
    ['---', 'unknown'],
  ])('%j -> %j, as Home Assistant slugify', (text, slug) => {
    expect(haSlug(text)).toBe(slug);
  });

  it('keys image names that slugify to nothing by a stable hash, so they do not share a sensor', () => {
    expect(imageKey('Front Porch')).toBe('front_porch');
    expect(imageKey('前門')).toMatch(/^image_[0-9a-f]{8}$/);
    expect(imageKey('前門')).toBe(imageKey('前門'));
    expect(imageKey('前門')).not.toBe(imageKey('後門'));
  });
});

describe('instanceTopicPrefix', () => {
  it('keeps vigil for the default client id and gives any other instance its own level', () => {
    expect(instanceTopicPrefix('vigil', 'vigil')).toBe('vigil');
    expect(instanceTopicPrefix('vigil', 'vigil-garage')).toBe('vigil/vigil-garage');
    expect(instanceTopicPrefix('site/vigil', 'a/b+c#')).toBe('site/vigil/a_b_c_');
  });
});
