export { AnswerService } from './answer.service.ts';
export type { AnswerInput, AnswerServiceDeps, GeneratedAnswer, TimelineEntry } from './answer.service.ts';
export { buildAnswerPrompt } from './answer-prompt.ts';
export type { AnswerPrompt, AnswerPromptFacts } from './answer-prompt.ts';
export { descriptionSummaryFrom } from './description-summary.ts';
