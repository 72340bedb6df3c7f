import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The build lands in Tekton.Web's static files (git-ignored); Tekton.Web's build runs it when they are missing or
// older than these sources. `npm run dev` serves the page with hot reload and proxies the API to a local Tekton.
export default defineConfig({
  base: './',
  resolve: {
    alias: {
      // The JavaScript SDK from its sources, so the dashboard exercises the SDK's browser path.
      'tekton-client': here('../clients/js/src/index.ts'),
      // The SDK loads `ws` only where there is no global WebSocket, which never happens in a browser.
      ws: here('./src/shims/ws.ts'),
    },
  },
  build: {
    outDir: here('../src/Tekton.Web/wwwroot'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8010',
      '/hubs': { target: 'ws://localhost:8010', ws: true },
    },
  },
});
