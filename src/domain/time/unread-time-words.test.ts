import { describe, expect, it } from 'vitest';
import { unreadTimeWords } from './unread-time-words.ts';

describe('unreadTimeWords', () => {
  it.each([
    ['anyone at the gate a fortnight ago?', ['a fortnight ago']],
    ['2 decades ago', ['2 decades ago']],
    ['yesterday or today', ['yesterday', 'today']],
    ['who came on the 3rd', ['on the 3rd']],
    // What is left of a range of days read in part.
    ['到21号仓库一共被闯入几次', ['到21号']],
    ['20號到', ['20號到']],
    ['from friday to the 21st', ['friday', 'to the 21st']],
    ['march 3', ['march 3']],
    ['anything in june', ['june']],
    ['at 9:40 or so', ['9:40']],
    ['the weekend', ['weekend']],
    ['上上上週', ['上上上週']],
    ['大大前天有人嗎', ['大大前天']],
    ['兩點半', ['兩點半']],
    ['3月5日有車嗎', ['3月5日']],
    ['兩個禮拜以後', ['兩個禮拜以後']],
    ['昨天或今天', ['昨天', '今天']],
    ['上週二或下週三', ['上週二', '下週三']],
    // Clock times in words that were left (the reader takes them only when they are one time:
    // "ten to eleven" alone may be 10 to 11), half units and vague days: never dropped.
    ['anyone there ten to eleven', ['ten to eleven']],
    ['anyone at half past nine', ['half past nine']],
    ['a quarter to ten', ['a quarter to ten']],
    ['at nine thirty pm', ['nine thirty pm']],
    ['half a year ago', ['half a year ago']],
    ['the other day', ['the other day']],
    ['最近幾天有人嗎', ['最近幾天']],
    ['这几天有人吗', ['这几天']],
  ])('%j leaves %j unread', (rest, words) => {
    expect(unreadTimeWords(rest)).toEqual(words);
  });

  it.each([
    'night vision camera',
    'good morning, any cars',
    'someone sat on the bench',
    'people march past',
    'May I see the car',
    'on the 3rd floor',
    'stayed 2 minutes',
    'longer than 45 seconds',
    'person loitering',
    'camera 2',
    '3 people',
    '後門有沒有人徘徊',
    '前門',
    '有一點可疑',
    '2號門有人嗎',
    '下個人',
    '超過兩分鐘',
    '有幾個人進來',
    'an old man about 70 years old',
    'a 5-year-old kid',
    '有人停留兩小時後才離開嗎',
    'on the 3rd shelf',
    'stayed 10 to 15 minutes',
    'five to ten people',
    '',
  ])('%j has no time words', (rest) => {
    expect(unreadTimeWords(rest)).toEqual([]);
  });
});
