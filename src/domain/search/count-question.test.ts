import { describe, expect, it } from 'vitest';
import { countEvents, incidentsOf, type CountedEvent } from './count-answer.ts';
import { readCountQuestion } from './count-question.ts';

describe('readCountQuestion', () => {
  it.each([
    ['how many times did someone cross the gate line', 'times', 'how many times'],
    ['how often did the gate open', 'times', 'how often'],
    ['how many people crossed the gate line', 'actors', 'how many'],
    ['how many cars came in', 'actors', 'how many'],
    ['门口警戒线有几次越线', 'times', '几次'],
    ['有多少次有人进来', 'times', '多少次'],
    ['有几个人越线', 'actors', '几'],
    ['来了几辆车', 'actors', '几'],
  ] as const)('%j asks %s', (text, kind, read) => {
    expect(readCountQuestion(text)).toEqual({ kind, text: read });
  });

  it.each(['any dogs', 'who came in', '有人进来吗', 'many thanks', '最近几个小时'])('%j asks for no number', (text) => {
    expect(readCountQuestion(text)).toBeUndefined();
  });
});

const ev = (type: CountedEvent['event']['type'], crossings: string[][], stays: Record<string, number> = {}): CountedEvent['event'] => {
  const ids = [...new Set(crossings.flat())];
  return {
    type,
    startMs: 0,
    endMs: 60_000,
    actors: ids.map((trackId) => ({ trackId, label: 'person', family: 'person', ...(stays[trackId] !== undefined ? { staySeconds: stays[trackId] } : {}) })),
    evidence: crossings.flat().map((trackId) => ({
      kind: type === 'line_crossing' ? ('crossing' as const) : ('zone_enter' as const),
      timestampMs: 0,
      frameIndex: 0,
      trackId,
      box: { x1: 0, y1: 0, x2: 1, y2: 1 },
      score: 1,
      text: { en: '', zhHant: '' },
    })),
  };
};

describe('countEvents', () => {
  const events: CountedEvent[] = [
    { runId: 1, event: ev('line_crossing', [['p1']]) },
    { runId: 1, event: ev('line_crossing', [['p3', 'p4']]) },
    // p1 again, later, crossing twice in one event
    { runId: 1, event: ev('line_crossing', [['p1', 'p1']]) },
    // p1 of another run is someone else
    { runId: 2, event: ev('line_crossing', [['p1']]) },
  ];

  it('counts every crossing as a time, and every person once per run', () => {
    expect(countEvents(events, 'times')).toBe(6);
    expect(countEvents(events, 'actors')).toBe(4);
  });

  it('counts only the actors that pass the test, with their own incidents', () => {
    const loiter = ev('loitering', [['p6', 'p7']], { p6: 90, p7: 40 });
    const longer = (a: { staySeconds?: number }) => (a.staySeconds ?? 0) > 60;
    expect(incidentsOf(loiter, longer)).toBe(1);
    expect(countEvents([{ runId: 1, event: loiter }], 'actors', longer)).toBe(1);
    expect(countEvents([{ runId: 1, event: loiter }], 'actors')).toBe(2);
  });

  it('counts only the crossings inside the range searched, though their event overlaps it', () => {
    // Five crossings of one event at 10-50 s (p1 twice); asked about [30 s, 60 s).
    const group = ev('line_crossing', [['p1', 'p2', 'p3', 'p1', 'p4']]);
    const at = [10, 20, 30, 40, 50];
    const timed = { ...group, evidence: group.evidence.map((e, i) => ({ ...e, timestampMs: (at[i] as number) * 1000 })) };
    const window = { fromMs: 30_000, toMs: 60_000 };
    expect(incidentsOf(timed, undefined, window)).toBe(3);
    expect(countEvents([{ runId: 1, event: timed }], 'actors', undefined, window)).toBe(3);
    expect(countEvents([{ runId: 1, event: timed }], 'times', undefined, { toMs: 25_000 })).toBe(2);
    expect(countEvents([{ runId: 1, event: timed }], 'times')).toBe(5);
  });
});
