import { describe, expect, it } from 'vitest';
import { topicMatches } from './topic-filter.ts';

describe('topicMatches', () => {
  it.each([
    ['frigate/events', 'frigate/events', true],
    ['frigate/events', 'frigate/events/x', false],
    ['frigate/+', 'frigate/events', true],
    ['frigate/+', 'frigate', false],
    ['frigate/#', 'frigate', true],
    ['frigate/#', 'frigate/a/b', true],
    ['+/status', 'homeassistant/status', true],
    ['#', '$SYS/broker/uptime', false],
    ['+/events', '$SYS/events', false],
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});
