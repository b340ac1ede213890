/**
 * UI strings in English, Traditional and Simplified Chinese. The chosen language also picks which
 * of an event's summaries (`en`, `zh_hant`, `zh_hans`) is shown and is sent to the search API.
 */
import type { LocalizedText } from './api-types.ts';

export const LANGUAGES = ['en', 'zh-Hant', 'zh-Hans'] as const;
export type Lang = (typeof LANGUAGES)[number];

const en = {
  app_title: 'Vigil',
  app_tagline: 'Ask your cameras what happened',
  language: 'Language',
  search_label: 'Question',
  search_placeholder: 'e.g. did anyone loiter at the back door last night?',
  search_button: 'Search',
  examples: 'Try',
  filters: 'Filters',
  from: 'From',
  to: 'To',
  camera: 'Camera',
  type: 'Type',
  any_camera: 'All cameras',
  any_type: 'All types',
  clear: 'Clear',
  searching: 'Searching…',
  loading: 'Loading…',
  error_title: 'Something went wrong',
  network_error: 'Cannot reach the Vigil server.',
  cameras_error: 'Cameras could not be loaded: {message}',
  retry: 'Try again',
  answer: 'Answer',
  searched: 'Searched',
  all_time: 'all time',
  all_cameras: 'all cameras',
  concepts: 'concepts',
  terms: 'words',
  time_phrase: 'time phrase',
  results: 'Results',
  results_count: '{n} events',
  results_count_one: '1 event',
  results_shown: '{shown} of {n} events shown',
  results_shown_more: '{shown} of more than {n} events shown',
  no_results: 'No events matched.',
  timeline: 'Timeline',
  timeline_empty: 'Nothing to show on the timeline.',
  legend: 'Colours',
  open_event: 'Open event',
  start_hint: 'Ask a question, or pick an example above.',
  back: 'Back to results',
  event: 'Event',
  summary: 'Summary',
  snapshot: 'Snapshot',
  no_snapshot: 'No snapshot was saved for this event.',
  details: 'Details',
  rule: 'Rule',
  labels: 'Labels',
  status: 'Status',
  time: 'Time',
  duration: 'Duration',
  seconds: '{n} s',
  actors: 'Actors',
  evidence: 'Evidence',
  no_evidence: 'No evidence recorded.',
  camera_time: 'camera time',
  track: 'Track {id}',
  thumbnail_of: 'Best view of {id}',
  snapshot_alt: 'Snapshot of event {id} with the boxes and the rule drawn',
  relevance: 'relevance {score}',
  token_title: 'API token needed',
  token_text: 'This Vigil server needs its API token (see server.token or <data_dir>/api-token).',
  token_label: 'Token',
  token_ok: 'Continue',
  token_cancel: 'Cancel',
  not_found_route: 'Page not found.',
  description: 'Description',
  desc_status: 'Status',
  'desc_status.none': 'not requested',
  'desc_status.queued': 'queued',
  'desc_status.running': 'in progress',
  'desc_status.done': 'done',
  'desc_status.failed': 'failed',
  desc_last_error: 'Last error: {message}',
  desc_next_attempt: 'next try {time}',
  desc_attempts: '{n} attempts',
  'desc_requested.manual': 'requested by hand',
  'desc_requested.auto': 'requested automatically',
  desc_no_model: 'No model is configured for descriptions, so events are not described (see genai.roles.descriptions in the configuration).',
  desc_not_described: 'This event has not been described yet.',
  desc_describe_now: 'Describe now',
  desc_describe_again: 'Describe again',
  desc_describing: 'Describing…',
  desc_updated: 'Description updated.',
  desc_request_failed: 'The description could not be made: {message}',
  desc_retry_after: 'Try again in {n} s.',
  desc_scene: 'Scene',
  desc_actions: 'Actions',
  desc_people: 'People',
  desc_vehicles: 'Vehicles',
  desc_person: 'Person {id}',
  desc_person_unknown: 'A person',
  desc_vehicle: 'Vehicle {id}',
  desc_vehicle_unknown: 'A vehicle',
  desc_clothing: 'clothing',
  desc_colors: 'colours',
  desc_carrying: 'carrying',
  desc_suspicion: 'Suspicion',
  desc_score: '{score} / 100',
  'desc_level.low': 'low',
  'desc_level.medium': 'medium',
  'desc_level.high': 'high',
  desc_no_reasons: 'No reasons given.',
  desc_uncertain: 'Uncertain',
  desc_flagged: 'The model’s output did not have the expected form. It is shown below exactly as it came, unchecked: do not rely on it.',
  desc_raw: 'Model output',
  desc_empty: 'The model gave no description.',
  desc_by: 'Written by {model} ({provider}), {time}',
  full_frame: 'full frame',
  answer_written_by: 'Written by {model}',
  answer_written_by_model: 'Written by a language model',
  answer_fallback: 'Model unavailable: {reason}',
  answer_timeline: 'What happened, in order',
  cited: 'cited',
  cited_label: 'Cited in the answer',
  'type.line_crossing': 'Line crossing',
  'type.intrusion': 'Intrusion',
  'type.loitering': 'Loitering',
  'type.object_seen': 'Object seen',
  'status.open': 'ongoing',
  'status.closed': 'ended',
};

export type Key = keyof typeof en;

const zhHant: Record<Key, string> = {
  app_title: 'Vigil',
  app_tagline: '問問你的攝影機發生了什麼事',
  language: '語言',
  search_label: '問題',
  search_placeholder: '例如：昨天晚上後門有沒有人徘徊？',
  search_button: '搜尋',
  examples: '試試',
  filters: '篩選',
  from: '從',
  to: '到',
  camera: '攝影機',
  type: '類型',
  any_camera: '所有攝影機',
  any_type: '所有類型',
  clear: '清除',
  searching: '搜尋中…',
  loading: '載入中…',
  error_title: '發生錯誤',
  network_error: '無法連線到 Vigil 伺服器。',
  cameras_error: '無法載入攝影機：{message}',
  retry: '重試',
  answer: '回答',
  searched: '已搜尋',
  all_time: '所有時間',
  all_cameras: '所有攝影機',
  concepts: '概念',
  terms: '字詞',
  time_phrase: '時間用語',
  results: '結果',
  results_count: '{n} 個事件',
  results_count_one: '1 個事件',
  results_shown: '顯示 {shown} / {n} 個事件',
  results_shown_more: '顯示 {shown} / 超過 {n} 個事件',
  no_results: '沒有符合的事件。',
  timeline: '時間軸',
  timeline_empty: '時間軸上沒有可顯示的事件。',
  legend: '顏色',
  open_event: '開啟事件',
  start_hint: '輸入問題，或點選上方的範例。',
  back: '返回結果',
  event: '事件',
  summary: '摘要',
  snapshot: '快照',
  no_snapshot: '此事件沒有儲存快照。',
  details: '詳細資料',
  rule: '規則',
  labels: '標籤',
  status: '狀態',
  time: '時間',
  duration: '持續時間',
  seconds: '{n} 秒',
  actors: '對象',
  evidence: '證據',
  no_evidence: '沒有記錄證據。',
  camera_time: '攝影機時間',
  track: '軌跡 {id}',
  thumbnail_of: '{id} 最清楚的畫面',
  snapshot_alt: '事件 {id} 的快照，已畫出方框與規則',
  relevance: '相關度 {score}',
  token_title: '需要 API 權杖',
  token_text: '此 Vigil 伺服器需要 API 權杖（見 server.token 或 <data_dir>/api-token）。',
  token_label: '權杖',
  token_ok: '繼續',
  token_cancel: '取消',
  not_found_route: '找不到頁面。',
  description: '描述',
  desc_status: '狀態',
  'desc_status.none': '尚未要求',
  'desc_status.queued': '排隊中',
  'desc_status.running': '進行中',
  'desc_status.done': '完成',
  'desc_status.failed': '失敗',
  desc_last_error: '最後的錯誤：{message}',
  desc_next_attempt: '下次嘗試：{time}',
  desc_attempts: '已嘗試 {n} 次',
  'desc_requested.manual': '手動要求',
  'desc_requested.auto': '自動要求',
  desc_no_model: '未設定描述用的模型，因此不會描述事件（見設定中的 genai.roles.descriptions）。',
  desc_not_described: '此事件尚未描述。',
  desc_describe_now: '立即描述',
  desc_describe_again: '重新描述',
  desc_describing: '描述中…',
  desc_updated: '描述已更新。',
  desc_request_failed: '無法產生描述：{message}',
  desc_retry_after: '請於 {n} 秒後再試。',
  desc_scene: '場景',
  desc_actions: '動作',
  desc_people: '人物',
  desc_vehicles: '車輛',
  desc_person: '人物 {id}',
  desc_person_unknown: '某人',
  desc_vehicle: '車輛 {id}',
  desc_vehicle_unknown: '某車輛',
  desc_clothing: '衣著',
  desc_colors: '顏色',
  desc_carrying: '攜帶',
  desc_suspicion: '可疑程度',
  desc_score: '{score} / 100',
  'desc_level.low': '低',
  'desc_level.medium': '中',
  'desc_level.high': '高',
  desc_no_reasons: '未提供理由。',
  desc_uncertain: '不確定之處',
  desc_flagged: '模型的輸出不符合預期格式。以下是未經檢查的原始內容，請勿依賴。',
  desc_raw: '模型輸出',
  desc_empty: '模型沒有提供描述。',
  desc_by: '由 {model}（{provider}）撰寫，{time}',
  full_frame: '完整畫面',
  answer_written_by: '由 {model} 撰寫',
  answer_written_by_model: '由語言模型撰寫',
  answer_fallback: '模型無法使用：{reason}',
  answer_timeline: '事件經過',
  cited: '已引用',
  cited_label: '回答中引用了此事件',
  'type.line_crossing': '越線',
  'type.intrusion': '闖入',
  'type.loitering': '徘徊',
  'type.object_seen': '出現物件',
  'status.open': '進行中',
  'status.closed': '已結束',
};

const zhHans: Record<Key, string> = {
  app_title: 'Vigil',
  app_tagline: '问问你的摄像头发生了什么事',
  language: '语言',
  search_label: '问题',
  search_placeholder: '例如：昨天晚上后门有没有人徘徊？',
  search_button: '搜索',
  examples: '试试',
  filters: '筛选',
  from: '从',
  to: '到',
  camera: '摄像头',
  type: '类型',
  any_camera: '所有摄像头',
  any_type: '所有类型',
  clear: '清除',
  searching: '搜索中…',
  loading: '加载中…',
  error_title: '出错了',
  network_error: '无法连接到 Vigil 服务器。',
  cameras_error: '无法加载摄像头：{message}',
  retry: '重试',
  answer: '回答',
  searched: '已搜索',
  all_time: '所有时间',
  all_cameras: '所有摄像头',
  concepts: '概念',
  terms: '词语',
  time_phrase: '时间用语',
  results: '结果',
  results_count: '{n} 个事件',
  results_count_one: '1 个事件',
  results_shown: '显示 {shown} / {n} 个事件',
  results_shown_more: '显示 {shown} / 超过 {n} 个事件',
  no_results: '没有符合的事件。',
  timeline: '时间轴',
  timeline_empty: '时间轴上没有可显示的事件。',
  legend: '颜色',
  open_event: '打开事件',
  start_hint: '输入问题，或点击上方的示例。',
  back: '返回结果',
  event: '事件',
  summary: '摘要',
  snapshot: '快照',
  no_snapshot: '此事件没有保存快照。',
  details: '详细信息',
  rule: '规则',
  labels: '标签',
  status: '状态',
  time: '时间',
  duration: '持续时间',
  seconds: '{n} 秒',
  actors: '对象',
  evidence: '证据',
  no_evidence: '没有记录证据。',
  camera_time: '摄像头时间',
  track: '轨迹 {id}',
  thumbnail_of: '{id} 最清楚的画面',
  snapshot_alt: '事件 {id} 的快照，已画出方框与规则',
  relevance: '相关度 {score}',
  token_title: '需要 API 令牌',
  token_text: '此 Vigil 服务器需要 API 令牌（见 server.token 或 <data_dir>/api-token）。',
  token_label: '令牌',
  token_ok: '继续',
  token_cancel: '取消',
  not_found_route: '找不到页面。',
  description: '描述',
  desc_status: '状态',
  'desc_status.none': '尚未请求',
  'desc_status.queued': '排队中',
  'desc_status.running': '进行中',
  'desc_status.done': '完成',
  'desc_status.failed': '失败',
  desc_last_error: '最后的错误：{message}',
  desc_next_attempt: '下次尝试：{time}',
  desc_attempts: '已尝试 {n} 次',
  'desc_requested.manual': '手动请求',
  'desc_requested.auto': '自动请求',
  desc_no_model: '未配置用于描述的模型，因此不会描述事件（见配置中的 genai.roles.descriptions）。',
  desc_not_described: '此事件尚未描述。',
  desc_describe_now: '立即描述',
  desc_describe_again: '重新描述',
  desc_describing: '描述中…',
  desc_updated: '描述已更新。',
  desc_request_failed: '无法生成描述：{message}',
  desc_retry_after: '请于 {n} 秒后再试。',
  desc_scene: '场景',
  desc_actions: '动作',
  desc_people: '人物',
  desc_vehicles: '车辆',
  desc_person: '人物 {id}',
  desc_person_unknown: '某人',
  desc_vehicle: '车辆 {id}',
  desc_vehicle_unknown: '某车辆',
  desc_clothing: '衣着',
  desc_colors: '颜色',
  desc_carrying: '携带',
  desc_suspicion: '可疑程度',
  desc_score: '{score} / 100',
  'desc_level.low': '低',
  'desc_level.medium': '中',
  'desc_level.high': '高',
  desc_no_reasons: '未提供理由。',
  desc_uncertain: '不确定之处',
  desc_flagged: '模型的输出不符合预期格式。以下是未经检查的原始内容，请勿依赖。',
  desc_raw: '模型输出',
  desc_empty: '模型没有提供描述。',
  desc_by: '由 {model}（{provider}）撰写，{time}',
  full_frame: '完整画面',
  answer_written_by: '由 {model} 撰写',
  answer_written_by_model: '由语言模型撰写',
  answer_fallback: '模型无法使用：{reason}',
  answer_timeline: '事件经过',
  cited: '已引用',
  cited_label: '回答中引用了此事件',
  'type.line_crossing': '越线',
  'type.intrusion': '闯入',
  'type.loitering': '徘徊',
  'type.object_seen': '出现物体',
  'status.open': '进行中',
  'status.closed': '已结束',
};

const STRINGS: Record<Lang, Record<Key, string>> = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans };

/** Names of the languages in themselves, for the switch. */
export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'EN', 'zh-Hant': '繁中', 'zh-Hans': '简中' };

/** Example questions; they are questions for the search, so they stay in the language they were asked in. */
export const EXAMPLE_QUESTIONS = [
  '昨天晚上10點到11點後門有沒有人徘徊？',
  'white van at the gate this morning',
  '有人闖入草坪嗎',
  'who crossed the footpath line',
];

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The browser's preference when nothing was chosen yet. */
export function preferredLang(languages: readonly string[]): Lang {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return /hans|cn|sg/.test(lower) ? 'zh-Hans' : 'zh-Hant';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

let current: Lang = 'en';

export function currentLang(): Lang {
  return current;
}

export function setCurrentLang(lang: Lang): void {
  current = lang;
}

/** A UI string with `{name}` placeholders filled in (as text: the result is only ever a text node). */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  return STRINGS[current][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function typeName(type: string): string {
  const key = `type.${type}`;
  return key in en ? t(key as Key) : type.replace(/_/g, ' ');
}

export function descriptionStatusName(status: string): string {
  const key = `desc_status.${status}`;
  return key in en ? t(key as Key) : status;
}

export function requesterName(requester: string): string {
  const key = `desc_requested.${requester}`;
  return key in en ? t(key as Key) : requester;
}

/**
 * A model-written summary in the current language, else in the nearest other one; `lang` says
 * which it is (for the element's lang attribute). Null when there is none.
 */
export function pickSummary(summaries: Partial<Record<Lang, string>>): { text: string; lang: Lang } | null {
  const order: Lang[] = current === 'en' ? ['en', 'zh-Hant', 'zh-Hans'] : current === 'zh-Hant' ? ['zh-Hant', 'zh-Hans', 'en'] : ['zh-Hans', 'zh-Hant', 'en'];
  for (const lang of order) {
    const text = summaries[lang]?.trim();
    if (text) return { text, lang };
  }
  return null;
}

export function statusName(status: string): string {
  const key = `status.${status}`;
  return key in en ? t(key as Key) : status;
}

/** The event text in the current language (Simplified falls back to Traditional, then English). */
export function localized(text: LocalizedText): string {
  if (current === 'en') return text.en;
  if (current === 'zh-Hans') return text.zh_hans ?? text.zh_hant ?? text.en;
  return text.zh_hant || text.en;
}

/** The BCP 47 locale for dates and numbers. */
export function locale(): string {
  return current === 'en' ? 'en-GB' : current === 'zh-Hant' ? 'zh-TW' : 'zh-CN';
}

/** Detector labels (COCO names) in Chinese; unknown labels show as they are. */
const LABELS: Record<string, [zhHant: string, zhHans: string]> = {
  person: ['人物', '人物'],
  bicycle: ['腳踏車', '自行车'],
  car: ['汽車', '汽车'],
  motorcycle: ['機車', '摩托车'],
  bus: ['公車', '公交车'],
  truck: ['卡車', '卡车'],
  dog: ['狗', '狗'],
  cat: ['貓', '猫'],
  backpack: ['背包', '背包'],
  handbag: ['手提包', '手提包'],
  suitcase: ['行李箱', '行李箱'],
};

export function labelName(label: string): string {
  const names = LABELS[label];
  if (!names || current === 'en') return label;
  return current === 'zh-Hant' ? names[0] : names[1];
}
