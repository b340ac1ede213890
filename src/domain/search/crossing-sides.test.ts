import { describe, expect, it } from 'vitest';
import { readCrossingSides, type TripwireSides } from './crossing-sides.ts';

const GATE: TripwireSides = { cameraId: 'front', rule: 'gate_line', a: ['parking lot', 'car park', '停车场'], b: ['lobby', '大厅'] };
const BACK: TripwireSides = { cameraId: 'back', rule: 'fence', a: ['garden'], b: ['street'] };

describe('readCrossingSides', () => {
  it.each([
    ['有谁从停车场走进大厅', 'a_to_b', ['从停车场', '走进大厅']],
    ['有人从大厅走回停车场吗', 'b_to_a', ['从大厅', '走回停车场']],
    ['谁进了大厅', 'a_to_b', ['进了大厅']],
    ['who walked from the parking lot into the lobby', 'a_to_b', ['from the parking lot', 'into the lobby']],
    ['who went back to the car park', 'b_to_a', ['back to the car park']],
    ['anyone leaving the lobby?', 'b_to_a', ['leaving the lobby']],
    ['有人到大厅吗', 'a_to_b', ['到大厅']],
  ] as const)('%s', (text, direction, read) => {
    expect(readCrossingSides(text, [GATE, BACK])).toEqual({ directions: [{ cameraId: 'front', rule: 'gate_line', direction }], read });
  });

  it('reads each tripwire on its own', () => {
    const both = readCrossingSides('from the garden to the street, or into the lobby', [GATE, BACK]);
    expect(both.directions).toEqual([
      { cameraId: 'back', rule: 'fence', direction: 'a_to_b' },
      { cameraId: 'front', rule: 'gate_line', direction: 'a_to_b' },
    ]);
  });

  it.each([
    ['anyone in the lobby', 'no word of direction'],
    ['大厅有人吗', 'no word of direction'],
    ['from the lobby to the lobby', 'both ways at once'],
    ['who came from the lobbyist', 'part of a word'],
    ['有人看到大厅有车吗', 'saw in the lobby, not went to it'],
    ['在大厅遇到谁了', 'met in the lobby'],
    ['anyone standing next to the lobby', 'next to is where, not which way'],
    ['在大厅来回走的人', 'to and fro'],
  ])('%s: nothing read (%s)', (text) => {
    expect(readCrossingSides(text, [GATE])).toEqual({ directions: [], read: [] });
  });
});
