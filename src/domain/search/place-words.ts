/**
 * Words that name a place ("back door", 後門, "loading dock"). A question's words that found no
 * event at all, when they name a place, name a place Vigil does not know: no camera, zone or line
 * is called so (their names are indexed with every event). The answer says so instead of
 * showing events from everywhere else.
 *
 * Text is normalized (lower case, Simplified Chinese). English words match whole, with a
 * plural "s"; Chinese words anywhere.
 */
const EN_PLACES = [
  'door', 'doorway', 'gate', 'entrance', 'garage', 'driveway', 'yard', 'backyard', 'front yard', 'garden',
  'porch', 'lobby', 'hall', 'hallway', 'corridor', 'parking lot', 'car park', 'parking', 'street', 'road', 'sidewalk', 'pavement',
  'shop', 'store', 'office', 'warehouse', 'loading dock', 'dock', 'fence', 'window', 'room', 'kitchen', 'stairs', 'staircase',
  'stairway', 'elevator', 'roof', 'balcony', 'patio', 'pool', 'basement', 'attic', 'reception', 'checkout',
  'aisle', 'platform', 'alley', 'courtyard', 'terrace', 'shed', 'barn', 'yard', 'gateway',
];
const ZH_PLACES = [
  '门口', '后门', '前门', '大门', '侧门', '门', '车库', '车道', '院子', '后院', '前院', '花园', '门廊', '大厅', '大堂', '走廊', '停车场',
  '街', '马路', '路口', '人行道', '店', '店面', '办公室', '仓库', '月台', '窗', '窗户', '房间', '厨房', '楼梯', '电梯', '屋顶', '阳台',
  '柜台', '收银台', '走道', '通道', '巷', '庭院', '露台', '仓', '卸货区', '装卸区', '玄关', '骑楼', '楼',
  '地下室', '地下', '储藏室', '储物间', '会议室', '教室', '室', '机房', '车棚', '天台', '楼顶', '入口', '出口', '围墙', '篱笆',
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const EN = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...new Set(EN_PLACES)].sort((a, b) => b.length - a.length).map(escape).join('|')})s?(?![\\p{L}\\p{N}])`, 'gu');
const ZH = new RegExp([...new Set(ZH_PLACES)].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');

/**
 * The place words in `text`, each with the words right before it that belong to its name ("back
 * door", "loading dock", 后门), in order.
 */
export function placeWordsIn(text: string): string[] {
  const found: Array<{ at: number; name: string }> = [];
  for (const m of text.matchAll(EN)) {
    // "back door", "server room": the word before is part of the place's name.
    const before = /(?:^|\s)([\p{L}\p{N}]+)\s+$/u.exec(text.slice(0, m.index));
    const word = before?.[1];
    const qualifier = word !== undefined && !EN_FUNCTION_WORDS.has(word) ? `${word} ` : '';
    found.push({ at: m.index - qualifier.length, name: `${qualifier}${m[0]}` });
  }
  for (const m of text.matchAll(ZH)) found.push({ at: m.index, name: m[0] });
  return found.sort((a, b) => a.at - b.at).map((f) => f.name);
}

/** Words before a place noun that are not part of its name ("at the door"). */
const EN_FUNCTION_WORDS = new Set(
  ('a an the at in on by near into to from of through past outside inside behind around any some this that my our your their his her its ' +
    'did do does was were is are has have had who someone anyone somebody anybody people person there here')
    .split(' '),
);
