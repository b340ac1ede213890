/**
 * The accuracy benchmark's questions, in English, traditional and simplified Chinese, each with
 * what a person would count as the right answer, written as a choice over the scripted truth
 * (world.ts), never over what Vigil stored. Day 0 is Thursday 19 November 2026, Taipei time; the
 * questions are asked on the morning of day 3, so "yesterday" is day 2 and "last night" is day 2
 * from 18:00 to 06:00. Parts of the day have their everyday hours: morning 06-12, afternoon 12-18,
 * evening 18-24, night 18-06.
 */
import { all, ALWAYS, car, comingIn, crossing, day, extreme, goingOut, intrusion, loitering, night, NOTHING, person, q, stay, stayOver, stayUnder, time, together } from './truth-tests.ts';
import type { Incident } from './score.ts';

export type Language = 'en' | 'zh-Hant' | 'zh-Hans';
export type QuestionKind = 'direction' | 'duration' | 'count' | 'extreme' | 'together' | 'unknown' | 'time' | 'plain';

export interface Question {
  q: string;
  lang: Language;
  kind: QuestionKind;
  /** The incidents that answer it (none for a question whose answer is "nothing"). */
  select: (truth: readonly Incident[]) => Incident[];
  /** A count question: the number the answer must state (of the selected incidents). */
  counts?: true;
  /** The question names a place no camera, zone or line has: the answer must say so. */
  unknownPlace?: true;
}

const YESTERDAY = day(2);
const LAST_NIGHT = night(2);
const DAY_BEFORE = day(1);

export const QUESTIONS: readonly Question[] = [
  // Direction: one way of a crossing only.
  q('en', 'direction', 'who came in through the gate yesterday', all(person, comingIn, YESTERDAY)),
  q('zh-Hant', 'direction', '昨天有誰從停車場走進大廳', all(person, comingIn, YESTERDAY)),
  q('zh-Hans', 'direction', '昨天有人从停车场走进大厅吗', all(person, comingIn, YESTERDAY)),
  q('en', 'direction', 'did anyone go out to the parking lot last night', all(person, goingOut, LAST_NIGHT)),
  q('zh-Hant', 'direction', '昨晚有人從大廳走回停車場嗎', all(person, goingOut, LAST_NIGHT)),
  q('zh-Hans', 'direction', '昨晚有人从大厅走回停车场吗', all(person, goingOut, LAST_NIGHT)),
  q('en', 'direction', 'who walked from the car park into the lobby the day before yesterday', all(person, comingIn, DAY_BEFORE)),
  q('zh-Hant', 'direction', '前天有人出去嗎', all(person, goingOut, DAY_BEFORE)),
  q('zh-Hans', 'direction', '前天有人进来吗', all(person, comingIn, DAY_BEFORE)),
  q('en', 'direction', 'did a car come in through the gate', all(car, comingIn)),
  q('zh-Hant', 'direction', '有車從大廳開往停車場嗎', all(car, goingOut)),
  q('en', 'direction', 'which cars went out', all(car, goingOut)),

  // Durations: each person's own stay.
  q('en', 'duration', 'who loitered at the back door for more than 2 minutes', all(loitering, stayOver(120))),
  q('zh-Hant', 'duration', '在後門徘徊超過兩分鐘的人', all(loitering, stayOver(120))),
  q('zh-Hans', 'duration', '在后门徘徊超过两分钟的人', all(loitering, stayOver(120))),
  q('en', 'duration', 'who was in the storeroom for less than 30 seconds', all(intrusion, stayUnder(30))),
  q('zh-Hant', 'duration', '在倉庫停留不到30秒的人', all(intrusion, stayUnder(30))),
  q('zh-Hans', 'duration', '在仓库停留超过一分钟的人', all(intrusion, stayOver(60))),
  q('en', 'duration', 'anyone in the storeroom longer than a minute yesterday', all(intrusion, stayOver(60), YESTERDAY)),
  q('zh-Hant', 'duration', '昨天在後門停留超過3分鐘', all(loitering, stayOver(180), YESTERDAY)),

  // Counts: the first sentence states the number.
  q('en', 'count', 'how many people came in yesterday', all(person, comingIn, YESTERDAY), { counts: true }),
  q('zh-Hant', 'count', '昨天有幾個人進來', all(person, comingIn, YESTERDAY), { counts: true }),
  q('zh-Hans', 'count', '昨天进来了几个人', all(person, comingIn, YESTERDAY), { counts: true }),
  q('en', 'count', 'how many times did someone go out last night', all(person, goingOut, LAST_NIGHT), { counts: true }),
  q('zh-Hant', 'count', '前天有幾次有人闖入倉庫', all(intrusion, DAY_BEFORE), { counts: true }),
  q('zh-Hans', 'count', '前天仓库被闯入了几次', all(intrusion, DAY_BEFORE), { counts: true }),
  q('en', 'count', 'how many cars came in', all(car, comingIn), { counts: true }),
  q('en', 'count', 'how many people loitered at the back door yesterday', all(loitering, YESTERDAY), { counts: true }),
  q('zh-Hant', 'count', '總共有幾個人進來', all(person, comingIn), { counts: true }),

  // Order and extremes.
  q('en', 'extreme', 'who came in earliest yesterday', extreme(time, false, person, comingIn, YESTERDAY)),
  q('zh-Hant', 'extreme', '昨天最晚進來的人', extreme(time, true, person, comingIn, YESTERDAY)),
  q('zh-Hans', 'extreme', '昨天最晚进来的人', extreme(time, true, person, comingIn, YESTERDAY)),
  q('en', 'extreme', 'who stayed the longest at the back door', extreme(stay, true, loitering)),
  q('zh-Hant', 'extreme', '在倉庫待最久的人', extreme(stay, true, intrusion)),
  q('en', 'extreme', 'the shortest intrusion into the storeroom', extreme(stay, false, intrusion)),

  // Together.
  q('en', 'together', 'were several people loitering together at the back door', all(loitering, together)),
  q('zh-Hant', 'together', '有人一起在後門徘徊嗎', all(loitering, together)),
  q('zh-Hans', 'together', '有几个人一起进来吗', all(comingIn, person, together)),
  q('en', 'together', 'did two people come in together yesterday', all(comingIn, person, together, YESTERDAY)),

  // Unknown places and things never seen: "none", not other events.
  q('en', 'unknown', 'did anyone loiter by the loading dock last night', NOTHING, { unknownPlace: true }),
  q('zh-Hant', 'unknown', '昨晚有人在地下室嗎', NOTHING, { unknownPlace: true }),
  q('zh-Hans', 'unknown', '昨晚有人在车库吗', NOTHING, { unknownPlace: true }),
  q('en', 'unknown', 'any dogs at the gate', NOTHING),
  q('zh-Hant', 'unknown', '有狗在後門嗎', NOTHING),
  q('en', 'unknown', 'any bicycles yesterday', NOTHING),

  // Time ranges.
  q('en', 'time', 'anyone at the back door last night between 10 and 11', all(loitering, day(2, 22, 23))),
  q('zh-Hant', 'time', '昨晚10點到11點後門有人嗎', all(loitering, day(2, 22, 23))),
  q('zh-Hans', 'time', '昨晚10点到11点后门有人吗', all(loitering, day(2, 22, 23))),
  q('en', 'time', 'who came in through the gate on November 19', all(person, comingIn, day(0))),
  q('zh-Hant', 'time', '11月20日有人闖入倉庫嗎', all(intrusion, day(1))),
  q('zh-Hans', 'time', '11月20日有人闯入仓库吗', all(intrusion, day(1))),
  q('en', 'time', 'any intrusions into the storeroom the day before yesterday in the afternoon', all(intrusion, day(1, 12, 18))),
  q('zh-Hant', 'time', '前天下午有人闖入倉庫嗎', all(intrusion, day(1, 12, 18))),
  q('en', 'time', 'loitering at the back door this morning', NOTHING),
  q('zh-Hant', 'time', '今天早上後門有人徘徊嗎', NOTHING),
  q('en', 'time', 'who came in on Friday night', all(person, comingIn, night(1))),
  q('zh-Hans', 'time', '星期五晚上有人进来吗', all(person, comingIn, day(1, 18, 24))),

  // Plain questions about one place.
  q('en', 'plain', 'who loitered at the back door', all(loitering)),
  q('zh-Hant', 'plain', '有人在後門徘徊嗎', all(loitering)),
  q('zh-Hans', 'plain', '有人在后门徘徊吗', all(loitering)),
  q('en', 'plain', 'who entered the storeroom', all(intrusion)),
  q('zh-Hant', 'plain', '誰進了倉庫', all(intrusion)),
  q('zh-Hans', 'plain', '谁进了仓库', all(intrusion)),
  q('en', 'plain', 'anyone crossing the gate line yesterday evening', all(person, crossing, day(2, 18, 24))),
  q('en', 'plain', 'what crossed the gate line yesterday evening', all(crossing, day(2, 18, 24))),
  q('en', 'plain', 'cars at the gate yesterday', all(car, YESTERDAY)),
  q('zh-Hant', 'plain', '昨天大門有車嗎', all(car, YESTERDAY)),
  q('zh-Hans', 'plain', '昨天大门有车吗', all(car, YESTERDAY)),
  q('en', 'plain', 'everything at the gate', all((t) => t.camera === 'gate', ALWAYS)),
];
