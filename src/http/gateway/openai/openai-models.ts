/**
 * GET /v1/models (and /v1/models/{id}) as OpenAI answers them. The gateway lists the model names a
 * client may ask for (its routes), not the backends' names; `created` is the same for all of them
 * (the caller's choice, e.g. when the configuration was loaded), since routes have no birthday.
 */

export interface OpenAiModelWire {
  id: string;
  object: 'model';
  /** Unix seconds. */
  created: number;
  owned_by: string;
}

export interface OpenAiModelListWire {
  object: 'list';
  data: OpenAiModelWire[];
}

export interface OpenAiModelOptions {
  created: number;
  /** Defaults to "vigil". */
  ownedBy?: string;
}

export function openAiModel(id: string, options: OpenAiModelOptions): OpenAiModelWire {
  return { id, object: 'model', created: options.created, owned_by: options.ownedBy ?? 'vigil' };
}

/** The names in their order, each once. */
export function openAiModelList(names: readonly string[], options: OpenAiModelOptions): OpenAiModelListWire {
  return { object: 'list', data: [...new Set(names)].map((name) => openAiModel(name, options)) };
}
