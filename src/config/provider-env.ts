import type { VigilConfig } from './config.schema.ts';
import type { Env } from './env-substitution.ts';

/** The environment variables Frigate honours for provider URLs, honoured the same way here. */
const BASE_URL_VARIABLES: Record<string, string> = { openai: 'OPENAI_BASE_URL', gemini: 'GEMINI_BASE_URL' };

/**
 * Fill a provider's missing `base_url` from OPENAI_BASE_URL / GEMINI_BASE_URL, as Frigate does,
 * so a Frigate setup pointing its OpenAI provider at a local compatible server carries over.
 */
export function applyProviderEnvDefaults(config: VigilConfig, env: Env): VigilConfig {
  const fromEnv = (provider: string | undefined) => {
    const variable = provider ? BASE_URL_VARIABLES[provider] : undefined;
    const value = variable ? env[variable] : undefined;
    return value && value.length > 0 ? value : undefined;
  };
  const genai = config.genai;
  const directUrl = genai.base_url ?? fromEnv(genai.provider);
  const providers = Object.fromEntries(
    Object.entries(genai.providers).map(([name, p]) => {
      const url = p.base_url ?? fromEnv(p.provider);
      return [name, url ? { ...p, base_url: url } : p];
    }),
  );
  return { ...config, genai: { ...genai, ...(directUrl ? { base_url: directUrl } : {}), providers } };
}
