/**
 * Reasoning models (OpenAI's and Azure's gpt-5 family, the o-series) refuse any temperature but
 * their default with HTTP 400, e.g. "Unsupported value: 'temperature' does not support 0.2 with
 * this model. Only the default (1) value is supported." Deployment names say nothing reliable
 * about the model behind them, so instead of guessing from names, a provider that has refused a
 * temperature once is sent none from then on (and the refused request is sent again without).
 */
import { isVigilError } from '../../../domain/errors.ts';
import type { GenerateRequest } from '../../../ports/llm-provider.ts';

export type TemperatureGuard = <T>(request: GenerateRequest, send: (request: GenerateRequest) => Promise<T>) => Promise<T>;

export function temperatureGuard(): TemperatureGuard {
  let refused = false;
  return async (request, send) => {
    if (request.temperature === undefined) return send(request);
    if (refused) return send(withoutTemperature(request));
    try {
      return await send(request);
    } catch (error) {
      if (!isTemperatureRefusal(error)) throw error;
      refused = true;
      return send(withoutTemperature(request));
    }
  };
}

function isTemperatureRefusal(error: unknown): boolean {
  if (!isVigilError(error) || error.code !== 'provider_bad_request') return false;
  return [error.message, ...error.details].some((text) => /temperature/i.test(text));
}

function withoutTemperature(request: GenerateRequest): GenerateRequest {
  const { temperature: _dropped, ...rest } = request;
  return rest;
}
