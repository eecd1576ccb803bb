import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Served by the gateway at /console/ (same origin as /api/v1: no CORS). `npm run dev` proxies
// the API to a gateway started by `make run`.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8000' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
