/**
 * Questions over real footage: the bundled street clip, asked the morning after it was filmed
 * (footage.ts pins it at Friday 20 November 2026, 22:00:00 Paris time, and asks at Saturday 09:00),
 * with answers judged against what was labelled by hand from its pixels, never against what Vigil
 * stored: the footpath crossings of street-crossings.json and each person's visits to the lawn
 * and the entrance in street-zones.json (both labelled by helpers who did not see Vigil's output).
 *
 * The demo's footpath line counts walking left to right (towards the building's entrance) as
 * inbound: side B to side A. Time windows in the questions are chosen at least MATCH_SECONDS away
 * from every labelled crossing (checked by `footageTruth`), so that a crossing detected a little
 * early or late is not judged by the window's edge.
 */
import type { Question } from './questions.ts';
import type { Incident } from './score.ts';
import { CLIP_START_MS, streetLabels, streetZoneLabels, type ZoneVisit } from './footage.ts';
import { all, crossing, extreme, intrusion, loitering, NOTHING, q, stay, stayOver, stayUnder, time, together, within, type Test } from './truth-tests.ts';

/** A labelled crossing and a detected one are the same when this close (footage.ts pairs them so too). */
const MATCH_SECONDS = 1.5;

/** Seconds from the clip's start, as the clock says them: 22:00:12 is 12. */
const clip = (fromS: number, toS = 24 * 3600): Test => within(CLIP_START_MS + fromS * 1000, CLIP_START_MS + toS * 1000);

/** The window edges the questions use, in seconds from the clip's start. */
const EDGES = [12, 25, 45, 60];

/** The demo's entrance zone: loitering is staying this long (loitering.min_seconds). */
const LOITERING_SECONDS = 15;

/**
 * What was labelled, as incidents of the demo's camera: every footpath crossing; every person's
 * visit to the lawn (a restricted zone: an intrusion); every person who lingered at the entrance
 * for at least LOITERING_SECONDS (loitering). A visit labelled with low confidence (feet on the
 * zone's edge) is left out. `people`: the incidents of the same zone that overlap this one.
 */
export function footageTruth(): Incident[] {
  const labels = streetLabels();
  for (const edge of EDGES) {
    const near = labels.find((l) => Math.abs(l.t - edge) < MATCH_SECONDS);
    if (near) throw new Error(`a question's window edge (${edge} s) is within ${MATCH_SECONDS} s of a labelled crossing (${near.t} s)`);
  }
  const crossings = labels.map((l): Incident => {
    const at = CLIP_START_MS + l.t * 1000;
    return { camera: 'street', type: 'line_crossing', rule: 'path', label: 'person', startMs: at, endMs: at, direction: l.way === 'left_to_right' ? 'b_to_a' : 'a_to_b', people: 1 };
  });
  const zones = streetZoneLabels();
  const lawn = stays('intrusion', 'lawn', zones.lawn, () => true);
  const loitering = stays('loitering', 'entrance', zones.entrance, (v) => v.lingered === true && v.exit - v.enter >= LOITERING_SECONDS);
  return [...crossings, ...lawn, ...loitering];
}

function stays(type: 'intrusion' | 'loitering', zone: string, visits: readonly ZoneVisit[], counts: (visit: ZoneVisit) => boolean): Incident[] {
  const kept = visits.filter((v) => v.confidence !== 'low' && counts(v));
  return kept.map((v) => ({
    camera: 'street',
    type,
    rule: zone,
    label: 'person',
    startMs: CLIP_START_MS + v.enter * 1000,
    endMs: CLIP_START_MS + v.exit * 1000,
    staySeconds: v.exit - v.enter,
    people: kept.filter((o) => o.enter < v.exit && o.exit > v.enter).length,
  }));
}

const LAST_NIGHT = clip(-4 * 3600, 8 * 3600);
const counts = { counts: true } as const;
/** The demo's line counts side B to side A (walking left to right, towards the entrance) as in. */
const walkingIn: Test = (t) => t.type === 'line_crossing' && t.direction === 'b_to_a';
const walkingOut: Test = (t) => t.type === 'line_crossing' && t.direction === 'a_to_b';

export const FOOTAGE_QUESTIONS: readonly Question[] = [
  // Every crossing, counted.
  q('en', 'count', 'how many times did someone cross the footpath last night', all(crossing, LAST_NIGHT), counts),
  q('zh-Hant', 'count', '昨晚有幾次有人穿過步道', all(crossing, LAST_NIGHT), counts),
  q('zh-Hans', 'count', '昨晚有几次有人穿过步道', all(crossing, LAST_NIGHT), counts),
  // One way only: in is left to right, towards the entrance.
  q('en', 'direction', 'who came in across the footpath last night', all(walkingIn, LAST_NIGHT)),
  q('zh-Hant', 'direction', '昨晚有誰走進來', all(walkingIn, LAST_NIGHT)),
  q('zh-Hans', 'direction', '昨晚有谁走进来', all(walkingIn, LAST_NIGHT)),
  q('en', 'count', 'how many times did people go out last night', all(walkingOut, LAST_NIGHT), counts),
  q('zh-Hant', 'count', '昨晚有幾次有人出去', all(walkingOut, LAST_NIGHT), counts),
  q('zh-Hans', 'count', '昨晚有几次有人出去', all(walkingOut, LAST_NIGHT), counts),
  // Windows of seconds.
  q('en', 'time', 'did anyone cross the footpath between 10:00:12 pm and 10:00:25 pm yesterday', all(crossing, clip(12, 25))),
  q('zh-Hant', 'time', '昨晚22:00:12到22:00:25有人穿過步道嗎', all(crossing, clip(12, 25))),
  q('zh-Hans', 'time', '昨晚22点01分以后有人穿过步道吗', all(crossing, clip(60))),
  q('en', 'count', 'how many times was the footpath crossed after 10:01 pm last night', all(crossing, clip(60)), counts),
  q('zh-Hant', 'time', '昨天晚上十點零一分以後有人穿過步道嗎', all(crossing, clip(60))),
  q('en', 'direction', 'who walked in before 10:00:45 pm last night', all(walkingIn, clip(-4 * 3600, 45))),
  q('zh-Hans', 'count', '昨晚22:00:45以前有几次有人进来', all(walkingIn, clip(-4 * 3600, 45)), counts),
  // The lawn (a restricted zone) and the entrance (loitering), each person's own stay.
  q('en', 'plain', 'did anyone walk on the lawn last night', all(intrusion, LAST_NIGHT)),
  q('zh-Hant', 'plain', '昨晚有人闖入草坪嗎', all(intrusion, LAST_NIGHT)),
  q('zh-Hans', 'plain', '昨晚有人进入草坪吗', all(intrusion, LAST_NIGHT)),
  q('en', 'duration', 'who stayed on the lawn for more than 20 seconds last night', all(intrusion, stayOver(20), LAST_NIGHT)),
  q('zh-Hant', 'duration', '昨晚在草坪上停留超過20秒的人', all(intrusion, stayOver(20), LAST_NIGHT)),
  q('zh-Hans', 'duration', '昨晚在草坪停留不到5秒的人', all(intrusion, stayUnder(5), LAST_NIGHT)),
  q('en', 'plain', 'did anyone loiter at the entrance last night', all(loitering, LAST_NIGHT)),
  q('zh-Hant', 'plain', '昨晚有人在入口徘徊嗎', all(loitering, LAST_NIGHT)),
  q('zh-Hans', 'count', '昨晚入口有几个人在徘徊', all(loitering, LAST_NIGHT), counts),
  q('en', 'together', 'were several people on the lawn together last night', all(intrusion, together, LAST_NIGHT)),
  q('zh-Hant', 'together', '昨晚有人一起在入口徘徊嗎', all(loitering, together, LAST_NIGHT)),
  q('en', 'extreme', 'who stayed longest on the lawn last night', extreme(stay, true, intrusion, LAST_NIGHT)),
  q('zh-Hans', 'extreme', '昨晚最晚走进来的人', extreme(time, true, walkingIn, LAST_NIGHT)),
  q('en', 'extreme', 'who was the first to go out last night', extreme(time, false, walkingOut, LAST_NIGHT)),
  // Nothing of the kind, and a place the camera does not have.
  q('en', 'plain', 'did a car cross the footpath last night', NOTHING),
  q('zh-Hant', 'plain', '昨晚有車穿過步道嗎', NOTHING),
  q('zh-Hans', 'plain', '昨晚有狗经过步道吗', NOTHING),
  q('en', 'unknown', 'anyone at the back door last night', NOTHING, { unknownPlace: true }),
  q('zh-Hant', 'unknown', '昨晚後門有人嗎', NOTHING, { unknownPlace: true }),
];
