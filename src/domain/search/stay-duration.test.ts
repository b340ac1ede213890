import { describe, expect, it } from 'vitest';
import { readStayDuration } from './stay-duration.ts';

describe('readStayDuration', () => {
  it.each([
    ['who stayed longer than 45 seconds', 'gt', 45, 'stayed longer than 45 seconds'],
    ['for under a minute', 'lt', 60, 'for under a minute'],
    ['2 minutes or more', 'gte', 120, '2 minutes or more'],
    ['at least 1.5 minutes', 'gte', 90, 'at least 1.5 minutes'],
    ['30+ seconds', 'gte', 30, '30+ seconds'],
    ['no more than an hour', 'lte', 3600, 'no more than an hour'],
    ['停留超过两分钟的人', 'gt', 120, '停留超过两分钟'],
    ['在仓库待了不到30秒', 'lt', 30, '待了不到30秒'],
    ['在仓库里待了半分钟以上的人', 'gte', 30, '待了半分钟以上'],
    ['停留超过半个小时', 'gt', 1800, '停留超过半个小时'],
    ['停留5分钟以内的人', 'lte', 300, '停留5分钟以内'],
    ['有人闯入机房不到3秒就走了吗', 'lt', 3, '不到3秒'],
    ['徘徊超过一分半钟', 'gt', 90, '超过一分半钟'],
    ['一分钟以上', 'gte', 60, '一分钟以上'],
    ['1分30秒以上', 'gte', 90, '1分30秒以上'],
    ['3秒内', 'lte', 3, '3秒内'],
    ['超过四十五秒', 'gt', 45, '超过四十五秒'],
  ] as const)('%j: %s %d s', (text, op, seconds, read) => {
    expect(readStayDuration(text)).toEqual({ op, seconds, text: read });
  });

  it.each(['red jacket', 'camera 2', 'stayed 2 minutes', '3 people', '2个人', 'over the fence'])('%j says no duration', (text) => {
    expect(readStayDuration(text)).toBeUndefined();
  });
});
