import { describe, expect, it } from 'vitest';
import { vigilConfigSchema } from './config.schema.ts';
import { configErrorMap, formatIssues } from './format-issues.ts';
import { maskSecrets } from './mask-secrets.ts';

const parse = (config: unknown) => vigilConfigSchema.safeParse(config, { error: configErrorMap });
const issues = (config: unknown) => {
  const result = parse(config);
  return result.success ? [] : formatIssues(result.error.issues);
};

describe('mqtt, frigate and home_assistant config', () => {
  it('fills the defaults', () => {
    const config = vigilConfigSchema.parse({ mqtt: { host: 'broker' }, frigate: { url: 'http://frigate:5000' }, home_assistant: {} });
    expect(config.mqtt).toEqual({ host: 'broker', port: 1883, client_id: 'vigil', topic_prefix: 'vigil' });
    expect(config.frigate).toEqual({ url: 'http://frigate:5000', topic_prefix: 'frigate', triggers: ['end'], cameras: {}, write_description: false, publish_description_update: true, timeout_s: 15, verify_tls: true, max_image_mb: 10, clip_frames: 0, max_clip_mb: 100 });
    expect(config.home_assistant).toEqual({ enabled: true, discovery_prefix: 'homeassistant' });
  });

  it('is off without the sections', () => {
    const config = vigilConfigSchema.parse({});
    expect(config.mqtt).toBeUndefined();
    expect(config.frigate).toBeUndefined();
  });

  it('needs mqtt for Frigate and Home Assistant, unless Home Assistant is disabled', () => {
    expect(issues({ frigate: { url: 'http://frigate:5000' }, home_assistant: {} })).toEqual([
      'frigate: needs the mqtt section (the broker Frigate publishes to)',
      'home_assistant: needs the mqtt section (the broker Home Assistant listens to)',
    ]);
    expect(issues({ home_assistant: { enabled: false } })).toEqual([]);
  });

  it('names every bad field by its path', () => {
    const found = issues({
      mqtt: { host: 'b', port: 70000, topic_prefix: 'vigil/#', password: 'x', extra: 1 },
      frigate: { url: 'frigate', user: 'admin', triggers: ['start'], cameras: { 'front door': { objects: [] }, Back: { camera: 'Back' } } },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mqtt\.port: /),
        expect.stringMatching(/^mqtt\.topic_prefix: /),
        expect.stringMatching(/^mqtt\.user: required when password is set/),
        expect.stringMatching(/^mqtt: unknown key "extra"/),
        expect.stringMatching(/^frigate\.url: /),
        expect.stringMatching(/^frigate\.password: user and password go together/),
        expect.stringMatching(/^frigate\.triggers\[0\]: /),
        expect.stringMatching(/^frigate\.cameras\.front door: Frigate camera name must match/),
        expect.stringMatching(/^frigate\.cameras\.front door\.objects: /),
        expect.stringMatching(/^frigate\.cameras\.Back\.camera: expected a camera id/),
      ]),
    );
  });

  it('masks the MQTT and Frigate passwords wherever the config is shown', () => {
    const config = vigilConfigSchema.parse({ mqtt: { host: 'b', user: 'u', password: 'mqtt-secret' }, frigate: { url: 'http://f:5000', user: 'admin', password: 'frigate-secret' } });
    const shown = JSON.stringify(maskSecrets(config, []));
    expect(shown).not.toContain('mqtt-secret');
    expect(shown).not.toContain('frigate-secret');
    expect(shown).toContain('"user":"u"');
  });
});
