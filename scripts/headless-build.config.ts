// The app's own main-process build (electron.vite.config.ts: headless, the status-push sender
// thread, the simulator and the Electron shell's entry), without the preload and the renderer,
// for scripts and tests that run the headless app from an output folder of their own:
//
//   npx electron-vite build -c scripts/headless-build.config.ts --outDir out/soak-1234
//   node out/soak-1234/main/headless.js --data-dir … --bestrx-port 0 --ui-port 0
//
// A private folder, so a soak never rebuilds out/main under a test or `npm run serve` that is
// running it (and the renderer, which has its own fixed out/renderer, is not rebuilt at all;
// the headless UI server serves the API without it).
import { defineConfig } from 'electron-vite';
import appConfig from '../electron.vite.config';

export default defineConfig({ main: appConfig.main });
