/**
 * Words a keyword query drops: question words, particles, auxiliaries and politeness. Compared
 * with whole query words (an English word before stemming, a Chinese word as Intl.Segmenter cuts
 * it), after normalization, so Traditional entries also cover their Simplified form.
 *
 * Not here on purpose: anyone / someone / somebody / who / 有人 / 誰 (they mean "a person" and
 * belong to the person concept: a car is not a "who"), time words (the time parser takes them out
 * of the question first), and words that name what happened (cross, 出現, 經過...).
 */
export const STOP_WORDS: readonly string[] = [
  // English: auxiliaries, articles, prepositions, question words, requests.
  'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am',
  'do', 'does', 'did', 'done', 'has', 'have', 'had', 'can', 'could', 'will', 'would', 'should',
  'any', 'some', 'there', 'here', 'it', 'its', 'this', 'that', 'these', 'those',
  'at', 'in', 'on', 'of', 'to', 'for', 'by', 'with', 'from', 'into', 'onto', 'near',
  'and', 'or', 'not', 'if', 'than', 'then',
  'what', 'when', 'where', 'which', 'whom', 'whose', 'why', 'how',
  'i', 'me', 'my', 'we', 'us', 'our', 'you', 'your',
  'show', 'find', 'search', 'list', 'tell', 'give', 'please', 'get',
  'anything', 'something', 'happen', 'happened', 'happening', 'event', 'events', 'ever',
  // Chinese: question and modal particles, requests, measure words.
  '有沒有', '有没有', '沒有', '没有', '有', '是否', '是不是', '是', '嗎', '吗', '呢', '吧', '啊', '呀',
  '的', '了', '在', '過', '著', '和', '與', '或', '及', '跟',
  '請', '请', '請問', '幫我', '帮我', '幫', '我', '你', '我們', '給我', '找', '查', '查詢', '搜尋', '搜索',
  '顯示', '看看', '一下', '哪些', '什麼', '甚麼', '什麼時候', '何時', '哪裡', '哪裏', '多少', '幾', '多久',
  '一', '一個', '一些', '個', '任何', '事件', '發生', '情況',
];
