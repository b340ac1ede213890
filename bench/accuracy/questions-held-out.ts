/**
 * Held-out accuracy questions: written from what a user of home/shop cameras would ask and what a
 * careful human would answer from the scripted truth (world.ts), not from how Vigil reads
 * questions. Same conventions as questions.ts: day 0 is Thursday 19 November 2026 (Taipei), the
 * questions are asked at 09:00 on day 3 (Sunday 22 November), so "yesterday" is day 2 (Saturday),
 * "the day before yesterday" day 1 (Friday); morning 06-12, afternoon 12-18, evening 18-24,
 * night 18-06 the next day; "anyone/someone/who" mean people.
 */
import type { Question } from './questions.ts';
import { all, atGate, car, comingIn, crossing, day, extreme, goingOut, intrusion, loitering, night, NOTHING, person, q, stay, stayOver, stayUnder, time, together, within } from './truth-tests.ts';
import { DAY0, DAY_MS } from './world.ts';

const THURSDAY = day(0);
const FRIDAY = day(1);
const SATURDAY = day(2);
const YESTERDAY = SATURDAY;
const DAY_BEFORE = FRIDAY;
const LAST_NIGHT = night(2);
const THREE_DAYS = within(DAY0, DAY0 + 3 * DAY_MS);

export const HELD_OUT_QUESTIONS: readonly Question[] = [
  // English.
  q('en', 'direction', 'did somebody walk into the lobby after 8pm yesterday?', all(person, comingIn, day(2, 20, 24))),
  q('en', 'plain', 'were there any cars at the gate on Thursday?', all(car, THURSDAY)),
  q('en', 'duration', 'was anybody hanging around the back door for over 4 minutes', all(loitering, stayOver(240))),
  q('en', 'duration', 'did anyone spend less than 10 seconds in the storeroom?', all(intrusion, stayUnder(10))),
  q('en', 'count', 'how many times was the storeroom entered on the 20th', all(intrusion, day(1)), { counts: true }),
  q('en', 'count', 'how many people walked out through the gate on Friday?', all(person, goingOut, FRIDAY), { counts: true }),
  q('en', 'extreme', 'when did the last car come in?', extreme(time, true, car, comingIn)),
  q('en', 'extreme', 'who was the last person to head out on Saturday', extreme(time, true, person, goingOut, SATURDAY)),
  q('en', 'together', 'did a couple of people hang around the back door together on Friday?', all(loitering, together, FRIDAY)),
  q('en', 'unknown', 'was anyone snooping around the kitchen last night?', NOTHING, { unknownPlace: true }),
  q('en', 'time', 'anyone come in between noon and 3pm on Friday?', all(person, comingIn, day(1, 12, 15))),
  q('en', 'plain', 'show me all the storeroom break-ins', all(intrusion)),

  // Traditional Chinese.
  q('zh-Hant', 'direction', '前天晚上有沒有車開進來', all(car, comingIn, night(1))),
  q('zh-Hant', 'direction', '星期四有誰從大廳出去', all(person, goingOut, THURSDAY)),
  q('zh-Hant', 'duration', '有沒有人在後門待超過一分半', all(loitering, stayOver(90))),
  q('zh-Hant', 'together', '昨天有沒有人結伴出去', all(person, goingOut, together, YESTERDAY)),
  q('zh-Hant', 'count', '11月19號總共有幾台車開出去', all(car, goingOut, day(0)), { counts: true }),
  q('zh-Hant', 'count', '昨晚有幾個人在後門逗留', all(loitering, LAST_NIGHT), { counts: true }),
  q('zh-Hant', 'extreme', '前天第一個走進大廳的是誰', extreme(time, false, person, comingIn, DAY_BEFORE)),
  q('zh-Hant', 'together', '禮拜四有沒有兩個人一起走進來', all(person, comingIn, together, THURSDAY)),
  q('zh-Hant', 'unknown', '昨天頂樓有人嗎', NOTHING, { unknownPlace: true }),
  q('zh-Hant', 'unknown', '有沒有機車騎進來', NOTHING),
  q('zh-Hant', 'time', '20號早上有人進來嗎', all(person, comingIn, day(1, 6, 12))),
  q('zh-Hant', 'plain', '大門那邊昨天有什麼動靜', all(atGate, YESTERDAY)),

  // Simplified Chinese.
  q('zh-Hans', 'direction', '星期五有人从大厅出去吗', all(person, goingOut, FRIDAY)),
  q('zh-Hans', 'time', '今天早上有人进出大门吗', all(person, crossing, day(3, 6, 12))),
  q('zh-Hans', 'duration', '有谁在后门待了三分钟以上', all(loitering, stayOver(180))),
  q('zh-Hans', 'duration', '前天在仓库里待了半分钟以上的人', all(intrusion, stayOver(30), DAY_BEFORE)),
  q('zh-Hans', 'count', '11月21号一共出去了多少人', all(person, goingOut, day(2)), { counts: true }),
  q('zh-Hans', 'count', '19号到21号仓库一共被闯入几次', all(intrusion, THREE_DAYS), { counts: true }),
  q('zh-Hans', 'extreme', '昨天在后门逗留时间最短的是谁', extreme(stay, false, loitering, YESTERDAY)),
  q('zh-Hans', 'extreme', '最后一次有人闯进仓库是什么时候', extreme(time, true, intrusion)),
  q('zh-Hans', 'together', '前天有没有两个人结伴在后门转悠', all(loitering, together, DAY_BEFORE)),
  q('zh-Hans', 'unknown', '昨天下午有人去过天台吗', NOTHING, { unknownPlace: true }),
  q('zh-Hans', 'time', '昨天下午有人在后门逗留吗', all(loitering, day(2, 12, 18))),
  q('zh-Hans', 'plain', '仓库有人进去过吗', all(intrusion)),
];
