/**
 * "From the parking lot into the lobby", 「從停車場走進大廳」, 「走回停车场」: a question that names
 * the places on either side of a tripwire asks about one direction of that tripwire. This finds
 * such names where a word says which way (from / to), and returns the directions asked about
 * with the text they were read from (to take out of the words searched for).
 *
 * Input and names are normalized text (lower case, Simplified Chinese). A name without a word of
 * direction before it is left alone: "anyone in the lobby" may be about a camera or a zone.
 */
import type { CrossingDirection } from '../rules/rule-types.ts';

export interface TripwireSides {
  cameraId: string;
  rule: string;
  /** Normalized names of what lies on side A and side B (display names and aliases). */
  a: readonly string[];
  b: readonly string[];
}

export interface SideDirection {
  cameraId: string;
  rule: string;
  direction: CrossingDirection;
}

export interface SideReading {
  directions: SideDirection[];
  /** The words read, as they appear in the text: a direction word and a side's name. */
  read: string[];
}

// What comes right before a place: the direction words, at the end of the text before it.
const FROM_EN = /(?:^|\s)(?:from|out of|leaving|left|leave|exiting|exited|exit)\s+(?:the\s+)?$/;
// Not the "to" of "next to", "close to", "up to": those say where, not which way.
const TO_EN = /(?:^|(?<!\b(?:next|close|up|due|prior|according))\s)(?:to|into|in to|towards?|back to|back into|entering|entered|enter|reaching|reached)\s+(?:the\s+)?$/;
const FROM_ZH = /(?:从|由|自|离开|走出|出了)\s*$/;
// 到 alone, but not the 到 of 看到, 见到, 遇到, 找到 (saw / met / found in a place), nor 来回 (to and fro).
const TO_ZH = /(?:走进|走回|回到|进到|进入|走到|前往|进了|(?<![看见遇找听收得碰感])到了|进|(?<![看见遇找听收得碰感])到|往|(?<!来)回|去|向)\s*$/;
const HAN = /\p{Script=Han}/u;

interface Mention {
  side: 'a' | 'b';
  wire: TripwireSides;
  role: 'from' | 'to';
  start: number;
  end: number;
}

function occurrences(text: string, name: string): number[] {
  const found: number[] = [];
  const latin = !HAN.test(name);
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
    const before = text.charAt(at - 1);
    const after = text.charAt(at + name.length);
    if (latin && (/[\p{L}\p{N}]/u.test(before) || /[\p{L}\p{N}]/u.test(after))) continue;
    found.push(at);
  }
  return found;
}

function roleBefore(text: string, at: number): { role: 'from' | 'to'; start: number } | undefined {
  const before = text.slice(Math.max(0, at - 16), at);
  for (const [role, re] of [['from', FROM_EN], ['to', TO_EN], ['from', FROM_ZH], ['to', TO_ZH]] as const) {
    const m = re.exec(before);
    if (m) return { role, start: at - m[0].length + (m[0].length - m[0].trimStart().length) };
  }
  return undefined;
}

/** Which way each side-named tripwire was asked about, in the order asked; tripwires asked both ways are left out. */
export function readCrossingSides(text: string, wires: readonly TripwireSides[]): SideReading {
  const names = wires
    .flatMap((wire) => (['a', 'b'] as const).flatMap((side) => wire[side].filter((n) => n.length > 0).map((name) => ({ wire, side, name }))))
    .sort((x, y) => y.name.length - x.name.length);
  const mentions: Mention[] = [];
  const taken = new Array<boolean>(text.length).fill(false);
  for (const { wire, side, name } of names) {
    for (const at of occurrences(text, name)) {
      if (taken.slice(at, at + name.length).some(Boolean)) continue;
      const role = roleBefore(text, at);
      if (!role) continue;
      taken.fill(true, at, at + name.length);
      mentions.push({ side, wire, role: role.role, start: role.start, end: at + name.length });
    }
  }
  // In the order the question says them.
  mentions.sort((x, y) => x.start - y.start);
  const byWire = new Map<TripwireSides, Set<CrossingDirection>>();
  for (const m of mentions) {
    // From side A, or to side B: A to B.
    const direction: CrossingDirection = (m.role === 'from') === (m.side === 'a') ? 'a_to_b' : 'b_to_a';
    const set = byWire.get(m.wire) ?? new Set<CrossingDirection>();
    set.add(direction);
    byWire.set(m.wire, set);
  }
  const directions: SideDirection[] = [];
  for (const [wire, set] of byWire) {
    if (set.size === 1) directions.push({ cameraId: wire.cameraId, rule: wire.rule, direction: [...set][0] as CrossingDirection });
  }
  const read = mentions.filter((m) => directions.some((d) => d.rule === m.wire.rule && d.cameraId === m.wire.cameraId));
  return { directions, read: read.map((m) => text.slice(m.start, m.end)) };
}
