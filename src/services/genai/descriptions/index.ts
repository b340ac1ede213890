export { DescriptionService } from './description.service.ts';
export type { DescriptionServiceDeps, DescriptionView } from './description.service.ts';
export { DEFAULT_CAMERA_GENAI, describePolicy } from './description-settings.ts';
export type { CameraGenaiSettings, DescriptionCamera, GenaiDescriptionSettings } from './description-settings.ts';
export type { EventDescription } from './description-schema.ts';
export type { DataFileReader } from './key-frames.ts';
