// Vite build of the Svelte renderer into dist/renderer/, which `rnnwb serve` and Electron load.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
/** `npm run dev:renderer` forwards the API and the event stream to `rnnwb serve` on its default port. */
const backend = process.env['RNNWB_SERVE_URL'] ?? 'http://127.0.0.1:8710';

export default defineConfig({
  root: here,
  // Relative asset URLs: the same build works over http:// (browser mode) and file:// (Electron).
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    // changeOrigin: the server refuses a Host header other than its own loopback address (DNS rebinding).
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/events': { target: backend.replace(/^http/, 'ws'), ws: true, changeOrigin: true },
    },
  },
});
