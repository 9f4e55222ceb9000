import { defineConfig } from 'vite';
import { resolve } from 'node:path';

// Both apps call the API on their own origin: the dev server (and `vite preview`, which the browser
// tests use) forwards these paths to the Meterline server, so the server needs no CORS settings.
const api = process.env.METERLINE_API ?? 'http://localhost:8080';
const proxy = {
  '^/graphql-ws': { target: api.replace(/^http/, 'ws'), ws: true },
  '^/graphql([?]|$)': { target: api },
  '^/login([?]|$)': { target: api },
  '^/oauth/': { target: api },
  '^/v1/': { target: api },
};

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        client: resolve(import.meta.dirname, 'client/index.html'),
        admin: resolve(import.meta.dirname, 'admin/index.html'),
      },
    },
  },
});
