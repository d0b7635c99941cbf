import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build, three targets. The main build's entries share chunks: `index` (the Electron
// shell), `headless` (plain Node, `npm run serve`), `bestrx-simulator` (BestRx's side as its
// own process, `npm run simulator`) and `status-push-sender` (status pushes' HTTP, on a worker thread).
export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: {
          index: resolve('src-main/index.ts'),
          headless: resolve('src-main/headless.ts'),
          'bestrx-simulator': resolve('src-main/bestrx-simulator.ts'),
          'status-push-sender': resolve('src-main/core/outbox/status-push-sender-thread.ts'),
          // `npm run restore`: a database backup put back, with RxRelay stopped.
          restore: resolve('src-main/restore.ts'),
          // A backup's copy and check, off the event loop (core/storage/backups.ts).
          'backup-thread': resolve('src-main/core/storage/backup-thread.ts'),
          // WAL checkpoints, off the event loop (core/storage/background-checkpoints.ts).
          'checkpoint-thread': resolve('src-main/core/storage/checkpoint-thread.ts'),
          // BestRx's listener, beside the database work (core/bestrx/threaded-provider-server.ts).
          'bestrx-listener': resolve('src-main/core/bestrx/bestrx-listener-thread.ts'),
        },
        // The code both entries share is the core; name its chunk so in stack traces.
        output: { chunkFileNames: 'chunks/core-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require node_modules: bundle everything into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src-preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      rolldownOptions: {
        input: { index: resolve('src-renderer/index.html') },
      },
    },
  },
});
