import type { Announcer, ImageAnalysis } from '../../ports/image-analysis-store.ts';
import type { Logger } from '../../ports/logger.ts';
import type { MessageBus } from '../../ports/message-bus.ts';

/**
 * Announces analyses on `<prefix>/image_analyzed` with Ollama Vision's event fields
 * (integration_id, image_name, image_url, prompt, description, used_text_model, text_prompt with
 * {description} filled in, final_description) and Vigil's `instance` (the same name as
 * integration_id), so an automation triggered by `ollama_vision_image_analyzed` ports over by
 * renaming. Not retained: it is an event; the Home Assistant sensor holds the state.
 */
export class MqttAnnouncer implements Announcer {
  constructor(private readonly options: { bus: MessageBus; topicPrefix: string; logger: Logger }) {}

  announce(topic: 'image_analyzed', payload: ImageAnalysis): void {
    const full = `${this.options.topicPrefix}/${topic}`;
    const body = { ...payload, integration_id: payload.instance };
    this.options.bus.publish(full, JSON.stringify(body), { qos: 1 }).catch((error: unknown) => this.options.logger.warn({ err: error, topic: full }, 'could not publish the analysis'));
  }
}
