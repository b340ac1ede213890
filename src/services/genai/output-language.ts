export type OutputLanguage = 'zh-Hant' | 'zh-Hans' | 'en';

/** The instruction that makes a model answer in the configured language. */
export function languageInstruction(language: OutputLanguage): string {
  switch (language) {
    case 'zh-Hant':
      return 'Write your answer in Traditional Chinese (繁體中文, as used in Taiwan).';
    case 'zh-Hans':
      return 'Write your answer in Simplified Chinese (简体中文).';
    default:
      return 'Write your answer in English.';
  }
}
