import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

/** The console's build: a static bundle in console/dist, served at `/` by the embedded default and CloudFront. */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The CSP allows no inline code: every script and style is a file of its own.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
