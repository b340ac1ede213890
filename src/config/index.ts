export {
  vigilConfigSchema,
  LOG_LEVELS,
  DETECTOR_TYPES,
  DETECTOR_DEVICES,
  type VigilConfig,
  type LoggingConfig,
  type LogLevel,
  type DetectorConfig,
  type StorageConfig,
  type RetentionConfig,
  DEFAULT_RETENTION_INTERVAL_MINUTES,
  type TrackerConfig,
  type ServerConfig,
  type CameraConfig,
  type MotionConfig,
  type ZoneConfig,
  type TripwireConfig,
} from './config.schema.ts';
export { TRIPWIRE_DIRECTIONS, KEEP_FOREVER } from './camera.schema.ts';
export { NAME_PATTERN, type Point, type Units } from './schema-parts.ts';
export { isStreamInput, STREAM_SCHEMES } from './camera-input.ts';
export { type Env } from './env-substitution.ts';
export { parseConfigText, type ParseConfigOptions, type ParsedConfig } from './parse-config.ts';
export { loadConfig, DEFAULT_CONFIG_FILE, type LoadConfigOptions, type LoadedConfig } from './load-config.ts';
export { renderConfig } from './render-config.ts';
export { maskSecrets, maskString } from './mask-secrets.ts';
export {
  PROVIDER_KINDS,
  OUTPUT_LANGUAGES,
  GENAI_ROLES,
  type GenaiConfig,
  type ProviderConfig,
  type CameraGenaiConfig,
} from './genai.schema.ts';
