import { describe, expect, it } from 'vitest';
import { VigilError } from '../../domain/errors.ts';
import { parseTimeOption } from './events.command.ts';

describe('parseTimeOption', () => {
  it('reads dates and date-times with and without offsets', () => {
    expect(parseTimeOption('2026-11-20T22:00:00Z', '--from')).toBe(Date.UTC(2026, 10, 20, 22, 0, 0));
    expect(parseTimeOption('2026-11-20T22:00+08:00', '--from')).toBe(Date.UTC(2026, 10, 20, 14, 0, 0));
    // Without an offset: local time, as a person at the machine means it.
    expect(parseTimeOption('2026-11-20T22:00', '--from')).toBe(new Date(2026, 10, 20, 22, 0, 0).getTime());
    expect(parseTimeOption('2026-11-20', '--from')).toBe(new Date(2026, 10, 20, 0, 0, 0).getTime());
    expect(parseTimeOption(undefined, '--from')).toBeUndefined();
  });

  it('rejects anything else with a message naming the flag', () => {
    for (const bad of ['yesterday', '20/11/2026', '2026-13-01', '2026-11-20 22:00', '']) {
      expect(() => parseTimeOption(bad, '--to')).toThrow(VigilError);
      expect(() => parseTimeOption(bad, '--to')).toThrow(/--to expects an ISO 8601 date/);
    }
  });
});
