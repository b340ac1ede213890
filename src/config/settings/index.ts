/** Configuration turned into the settings the domain and the services take (pure translations). */
export * from './camera-settings.ts';
export * from './camera-directory.ts';
export * from './genai-settings.ts';
export * from './retention-settings.ts';
export * from './frigate-settings.ts';
export * from './gateway-settings.ts';
