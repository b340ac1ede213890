import { describe, expect, it } from 'vitest';
import { cameraSensor, HA_MAX_STATE, imageSensor, objectId, truncateState } from './discovery.ts';

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
    expect(s.config).toMatchObject({ default_entity_id: 'sensor.vigil-garage_image_front_porch', availability: [{ topic: 'garage/vigil/status' }], device: { name: 'Vigil (Vigil-Garage)' } });
    expect(objectId('a b.c/d')).toBe('a_b_c_d');
  });
});
