import type { Concept, ConceptTerms } from './concept-types.ts';

/*
 * The built-in vocabulary of Vigil's questions. Chinese terms are written in Traditional, each
 * followed by its Simplified form where the two differ (matching reads Simplified text); a test
 * checks with OpenCC that no Simplified form is missing. Mainland words (自行車, 公交車, 皮卡)
 * are listed as words of their own.
 */

const VEHICLE_LABELS = ['bicycle', 'car', 'motorcycle', 'bus', 'truck'] as const;
const ANIMAL_LABELS = ['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe'] as const;
const BAG_LABELS = ['backpack', 'handbag', 'suitcase'] as const;

function colour(id: string, en: readonly string[], zh: readonly string[]): Concept {
  return { id, kind: 'attribute', terms: { en, zh } };
}

export const BUILTIN_CONCEPTS: readonly Concept[] = [
  // What happened.
  {
    id: 'loitering',
    kind: 'event_type',
    eventTypes: ['loitering'],
    terms: {
      en: ['loiter', 'loiterer', 'linger', 'hang around', 'hung around', 'hang about', 'lurk', 'prowl', 'dwell'],
      zh: ['徘徊', '停留', '逗留', '踩點', '踩点', '遊蕩', '游荡', '閒晃', '闲晃', '滯留', '滞留', '久留'],
    },
  },
  {
    id: 'intrusion',
    kind: 'event_type',
    eventTypes: ['intrusion'],
    terms: {
      en: [
        'intrusion', 'intrude', 'intruder', 'trespass', 'trespasser', 'break in', 'broke in', 'restricted',
        'forbidden', 'unauthorized', 'unauthorised', 'off limits',
      ],
      zh: [
        '闖入', '闯入', '闖進', '闯进', '入侵', '侵入', '禁入', '禁入區', '禁入区', '禁區', '禁区', '擅闖', '擅闯', '擅入', '非法進入', '非法进入',
        '禁止進入', '禁止进入', '管制區', '管制区',
      ],
    },
  },
  {
    id: 'crossing',
    kind: 'event_type',
    eventTypes: ['line_crossing'],
    terms: {
      en: ['cross', 'line crossing', 'tripwire', 'trip wire', 'line', 'pass', 'went past', 'go past'],
      zh: [
        '越線', '越线', '跨線', '跨线', '穿越', '經過', '经过', '通過', '通过', '越過', '越过', '跨越', '穿過', '穿过', '絆線', '绊线', '警戒線',
        '警戒线',
      ],
    },
  },
  {
    id: 'object_seen',
    kind: 'event_type',
    eventTypes: ['object_seen'],
    terms: {
      en: ['seen', 'see', 'saw', 'appear', 'appearance', 'spot', 'sighting', 'detect', 'visible', 'show up'],
      zh: ['出現', '出现', '看到', '看見', '看见', '見到', '见到', '發現', '发现', '出沒', '出没', '偵測到', '侦测到'],
    },
  },

  // Who or what.
  {
    id: 'person',
    kind: 'label',
    labels: ['person'],
    terms: {
      en: [
        'person', 'people', 'someone', 'somebody', 'anyone', 'anybody', 'who', 'whoever', 'man', 'men', 'woman', 'women',
        'pedestrian', 'human', 'guy', 'kid', 'child', 'children', 'visitor', 'stranger', 'passerby',
        'passersby',
      ],
      zh: [
        '人', '人物', '行人', '有人', '誰', '谁', '人員', '人员', '男', '女', '男人', '女人', '男子', '女子', '男生', '女生', '路人', '陌生人', '小孩',
        '兒童', '儿童',
      ],
    },
  },
  {
    id: 'vehicle',
    kind: 'label',
    labels: VEHICLE_LABELS,
    terms: { en: ['vehicle', 'traffic'], zh: ['車', '车', '車輛', '车辆', '車子', '车子'] },
  },
  {
    id: 'car',
    kind: 'label',
    labels: ['car'],
    terms: {
      en: ['car', 'sedan', 'suv', 'taxi', 'cab', 'automobile', 'hatchback'],
      zh: [
        '汽車', '汽车', '轎車', '轿车', '小轎車', '小轿车', '小客車', '小客车', '計程車', '计程车', '出租車', '出租车', '私家車', '私家车', '的士',
        '房車', '房车', '休旅車', '休旅车',
      ],
    },
  },
  {
    // COCO has no van: a detector calls one "car" or "truck" (it often flips between the two).
    id: 'van',
    kind: 'label',
    labels: ['car', 'truck'],
    terms: { en: ['van', 'minivan'], zh: ['廂型車', '厢型车', '箱型車', '箱型车', '麵包車', '面包车', '商旅車', '商旅车'] },
  },
  {
    id: 'truck',
    kind: 'label',
    labels: ['truck'],
    terms: {
      en: ['truck', 'lorry', 'pickup'],
      zh: ['貨車', '货车', '卡車', '卡车', '小貨車', '小货车', '大貨車', '大货车', '貨櫃車', '货柜车', '聯結車', '联结车', '砂石車', '砂石车', '皮卡'],
    },
  },
  {
    id: 'bus',
    kind: 'label',
    labels: ['bus'],
    terms: { en: ['bus', 'minibus'], zh: ['公車', '公车', '巴士', '公交車', '公交车', '大巴', '客運', '客运', '遊覽車', '游览车', '校車', '校车'] },
  },
  {
    id: 'motorcycle',
    kind: 'label',
    labels: ['motorcycle'],
    terms: {
      en: ['motorcycle', 'motorbike', 'scooter', 'moped', 'motorcyclist'],
      zh: ['機車', '机车', '摩托車', '摩托车', '電單車', '电单车', '重機', '重机', '速克達', '速克达'],
    },
  },
  {
    id: 'bicycle',
    kind: 'label',
    labels: ['bicycle'],
    terms: { en: ['bicycle', 'bike', 'cyclist', 'bicyclist'], zh: ['腳踏車', '脚踏车', '單車', '单车', '自行車', '自行车'] },
  },
  { id: 'dog', kind: 'label', labels: ['dog'], terms: { en: ['dog', 'puppy'], zh: ['狗', '犬', '小狗', '狗狗'] } },
  { id: 'cat', kind: 'label', labels: ['cat'], terms: { en: ['cat', 'kitten'], zh: ['貓', '猫', '小貓', '小猫', '貓咪', '猫咪'] } },
  { id: 'bird', kind: 'label', labels: ['bird'], terms: { en: ['bird'], zh: ['鳥', '鸟', '小鳥', '小鸟'] } },
  {
    id: 'animal',
    kind: 'label',
    labels: ANIMAL_LABELS,
    terms: { en: ['animal', 'pet', 'wildlife'], zh: ['動物', '动物', '寵物', '宠物'] },
  },
  {
    id: 'backpack',
    kind: 'label',
    labels: ['backpack'],
    terms: { en: ['backpack', 'rucksack', 'knapsack'], zh: ['背包', '後背包', '后背包', '雙肩包', '双肩包', '書包', '书包'] },
  },
  {
    id: 'handbag',
    kind: 'label',
    labels: ['handbag'],
    terms: { en: ['handbag', 'purse'], zh: ['手提包', '手提袋', '手袋', '皮包'] },
  },
  {
    id: 'suitcase',
    kind: 'label',
    labels: ['suitcase'],
    terms: { en: ['suitcase', 'luggage'], zh: ['行李箱', '行李', '旅行箱', '拉桿箱', '拉杆箱', '皮箱'] },
  },
  { id: 'bag', kind: 'label', labels: BAG_LABELS, terms: { en: ['bag', 'baggage'], zh: ['包', '包包', '袋', '袋子'] } },

  // Which way.
  {
    id: 'inbound',
    kind: 'direction',
    inbound: true,
    terms: {
      en: [
        'inbound', 'enter', 'entry', 'incoming', 'arrive', 'arrival', 'come in', 'came in', 'walk in', 'walked in', 'go in',
        'went in', 'get in', 'got in', 'step in', 'stepped in', 'head in', 'headed in',
      ],
      zh: [
        '進入', '进入', '進來', '进来', '由外向內', '由外向内', '走進', '走进', '駛入', '驶入', '駛進', '驶进', '入內', '入内', '入區', '入区',
        '進門', '进门',
      ],
    },
  },
  {
    id: 'outbound',
    kind: 'direction',
    inbound: false,
    terms: {
      en: [
        'outbound', 'leave', 'exit', 'depart', 'departure', 'outgoing', 'go out', 'went out', 'walk out', 'walked out', 'get out',
        'got out', 'come out', 'came out', 'step out', 'stepped out', 'head out', 'headed out',
      ],
      zh: ['離開', '离开', '出去', '出來', '出来', '由內向外', '由内向外', '走出', '駛離', '驶离', '駛出', '驶出', '出門', '出门', '外出'],
    },
  },

  // What it looked like: matched against descriptions only.
  colour('white', ['white'], ['白', '白色']),
  colour('black', ['black'], ['黑', '黑色']),
  colour('red', ['red'], ['紅', '红', '紅色', '红色']),
  colour('blue', ['blue'], ['藍', '蓝', '藍色', '蓝色']),
  colour('green', ['green'], ['綠', '绿', '綠色', '绿色']),
  colour('yellow', ['yellow'], ['黃', '黄', '黃色', '黄色']),
  colour('grey', ['grey', 'gray'], ['灰', '灰色']),
  colour('silver', ['silver'], ['銀', '银', '銀色', '银色']),
  colour('orange', ['orange'], ['橙色', '橘色']),
  colour('brown', ['brown'], ['棕色', '咖啡色']),
  colour('purple', ['purple'], ['紫色']),
  colour('pink', ['pink'], ['粉紅色', '粉红色', '粉色']),
];

/**
 * Words that contain a concept's term but mean something else (停車場 is a place, not a vehicle;
 * 白天 is daytime, not white). Longest-match-first lets them claim their text, so the shorter
 * term inside does not match; they produce no concept.
 */
export const NEUTRAL_TERMS: ConceptTerms = {
  en: ['car park', 'parking lot', 'bus stop', 'bus station', 'red light', 'green light'],
  zh: [
    '停車場', '停车场', '停車位', '停车位', '車位', '车位', '車庫', '车库', '車道', '车道', '人行道', '白天', '明白', '黑白', '天黑', '黑夜', '黑暗',
    '紅綠燈', '红绿灯', '紅外線', '红外线', '紅外', '红外', '黃昏', '黄昏', '銀行', '银行', '藍牙', '蓝牙', '麵包', '面包', '包括', '包含', '灰塵', '灰尘',
  ],
};
