import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const target = process.env.AIGNE_HUB_DEV_API ?? 'http://127.0.0.1:3030';

export default defineConfig({
  root: 'src',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target, changeOrigin: false },
      '/__blocklet__.js': { target, changeOrigin: false },
      '/metrics': { target, changeOrigin: false },
    },
  },
});
