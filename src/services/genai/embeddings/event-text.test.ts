import { describe, expect, it } from 'vitest';
import { storedEvent } from '../../../../test/factories/stored-events.ts';
import { eventText, truncateText } from './event-text.ts';

const stored = storedEvent({
  id: 'e1',
  startMs: 0,
  en: 'Person p3 crossed the  Front gate line inbound',
  zhHant: '人物 p3 由外向內穿越Front gate警戒線',
  keywords: ['person', 'crossing', 'inbound'],
});

describe('eventText', () => {
  it('is both summaries and the keywords, one per line, spaces tidied', () => {
    expect(eventText(stored)).toBe('Person p3 crossed the Front gate line inbound\n人物 p3 由外向內穿越Front gate警戒線\nperson crossing inbound');
  });

  it('adds the model description, and leaves out empty or repeated parts', () => {
    const quiet = storedEvent({ id: 'e2', startMs: 0, en: 'Car v1 seen', zhHant: 'Car v1 seen' });
    expect(eventText(quiet, { textForSearch: 'A white van parks.\n一輛白色廂型車停下。' })).toBe('Car v1 seen\nA white van parks. 一輛白色廂型車停下。');
    expect(eventText(quiet, { textForSearch: '  ' })).toBe('Car v1 seen');
  });
});

describe('truncateText', () => {
  it('cuts long texts without splitting a character', () => {
    expect(truncateText('abcdef', 10)).toBe('abcdef');
    expect(truncateText('abcdef', 3)).toBe('abc');
    expect(truncateText('ab😀c', 3)).toBe('ab');
    expect(truncateText('ab😀c', 4)).toBe('ab😀');
  });
});
