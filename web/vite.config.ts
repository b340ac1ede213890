/**
 * Builds the web UI that `vigil serve` serves from web/dist. `npx vite --config web/vite.config.ts`
 * starts the dev server; /api goes to VIGIL_API (default: http://127.0.0.1:8787, where
 * web/dev/dev-server.ts runs the real server over a seeded data directory).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * Defence in depth for a UI that shows text from cameras and users: even if some text ever became
 * markup, no inline script, handler or foreign resource would run. Build only: the dev server
 * injects its own client.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'vigil-csp',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  root: webDir,
  base: '/',
  publicDir: false,
  plugins: [contentSecurityPolicy()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': process.env.VIGIL_API ?? 'http://127.0.0.1:8787' },
  },
  preview: { host: '127.0.0.1' },
});
