import type { NewDescription } from '../../../ports/description-store.ts';
import type { LlmImage, LlmProvider } from '../../../ports/llm-provider.ts';
import type { OutputLanguage } from '../output-language.ts';
import { boundRawText, descriptionJsonSchema, descriptionSearchText, parseDescription, rawSearchText } from './description-schema.ts';
import { buildRepairPrompt, type DescriptionPrompt } from './prompt.ts';

export interface DescribeRequest {
  provider: LlmProvider;
  prompt: DescriptionPrompt;
  images: readonly LlmImage[];
  languages: readonly OutputLanguage[];
  signal?: AbortSignal;
}

/** Enough for the JSON of a busy scene in three languages. */
const MAX_OUTPUT_TOKENS = 2048;
/** Low: a description is a report, not a story. */
const TEMPERATURE = 0.2;

/**
 * Asks the model once, validates its JSON, and on invalid output asks once more with the errors
 * (text only: fixing JSON needs no pictures). Still invalid: the raw text is kept, flagged, so
 * nothing the model said is lost and the UI can show it with a warning. Provider errors are
 * thrown for the caller to retry or give up.
 */
export async function describeEvent(request: DescribeRequest): Promise<NewDescription> {
  const { provider, prompt, languages } = request;
  const jsonSchema = descriptionJsonSchema(languages);
  const common = {
    system: prompt.system,
    jsonSchema,
    maxOutputTokens: MAX_OUTPUT_TOKENS,
    temperature: TEMPERATURE,
    ...(request.signal !== undefined ? { signal: request.signal } : {}),
  };
  const first = await provider.generate({ ...common, prompt: prompt.prompt, images: request.images });
  const parsed = parseDescription(first.text, languages);
  if (parsed.ok) return valid(provider.name, first.model, parsed.description);

  const repair = await provider.generate({ ...common, prompt: buildRepairPrompt(first.text, parsed.errors, languages) });
  const repaired = parseDescription(repair.text, languages);
  if (repaired.ok) return valid(provider.name, repair.model, repaired.description);
  return { provider: provider.name, model: repair.model, rawText: boundRawText(repair.text), flagged: true, textForSearch: rawSearchText(repair.text) };
}

function valid(providerName: string, model: string, description: Parameters<typeof descriptionSearchText>[0]): NewDescription {
  return { provider: providerName, model, json: description, flagged: false, textForSearch: descriptionSearchText(description) };
}
