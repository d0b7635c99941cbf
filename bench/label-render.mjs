// Label render latency, as BestRx meets it: GET /labels/<id>.png (the 4×6 shipping label at
// 203 dpi, rendered on request: SVG layout, Code 128 and QR, rasterised by resvg, 1-bit PNG),
// one request at a time, so each sample is one render with nothing queued before it. The
// sample includes the HTTP round trip and the print event the fetch records, so it can only
// overstate the render itself. Target (issue 3): p50 <= 30 ms, p99 <= 80 ms.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CREDENTIALS, HEADLESS, SERVE_NODE_FLAGS, children, headers, percentile, prepareDataDir, round, setupRequest, startChild, stopChild } from './lib.mjs';

export const LABEL_TARGETS = { p50Ms: 30, p99Ms: 80 };
const ORDERS = 40;
const FETCHES_PER_ORDER = 8;
const WARMUP_FETCHES = 20;

async function fetchLabel(port, id, dpi) {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/labels/${id}.png?dpi=${dpi}`, { headers: { authorization: headers.authorization } });
  const bytes = await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== 200 || bytes.byteLength < 1000) throw new Error(`label ${id}: HTTP ${response.status}, ${bytes.byteLength} bytes`);
  return ms;
}

export async function runLabelRenderBench({ port }) {
  const ids = [];
  for (let i = 0; i < ORDERS; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/Order/CreateOrder`, { method: 'POST', headers, body: setupRequest({}).body });
    ids.push((await response.json()).data.provider_order_id);
  }
  for (let i = 0; i < WARMUP_FETCHES; i++) await fetchLabel(port, ids[i % ids.length], 203);
  const samples = { 203: [], 300: [] };
  for (let round_ = 0; round_ < FETCHES_PER_ORDER; round_++) {
    for (const id of ids) samples[203].push(await fetchLabel(port, id, 203));
  }
  // 300 dpi, for information: fewer samples, no target.
  for (const id of ids) samples[300].push(await fetchLabel(port, id, 300));
  const stats = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { n: sorted.length, p50: round(percentile(sorted, 0.5), 2), p99: round(percentile(sorted, 0.99), 2), max: round(sorted[sorted.length - 1], 2) };
  };
  const at203 = stats(samples[203]);
  const at300 = stats(samples[300]);
  console.log(
    `label render (GET /labels/<id>.png, one at a time): 203 dpi p50 ${at203.p50} ms, p99 ${at203.p99} ms, max ${at203.max} ms (n=${at203.n}); ` +
      `300 dpi p50 ${at300.p50} ms, p99 ${at300.p99} ms (n=${at300.n})`,
  );
  return {
    report: { dpi203: at203, dpi300: at300 },
    targetResults: [
      {
        name: `label render p50 <= ${LABEL_TARGETS.p50Ms} ms and p99 <= ${LABEL_TARGETS.p99Ms} ms (4×6 PNG, 203 dpi)`,
        pass: at203.p50 <= LABEL_TARGETS.p50Ms && at203.p99 <= LABEL_TARGETS.p99Ms,
        value: `p50 ${at203.p50} ms, p99 ${at203.p99} ms (n=${at203.n}, including HTTP and the print event)`,
        margin: round(Math.min(LABEL_TARGETS.p50Ms / at203.p50, LABEL_TARGETS.p99Ms / at203.p99), 3),
      },
    ],
  };
}

/**
 * On a fresh headless RxRelay of its own (as the drain benchmark does), so what is measured is
 * the label path, not the garbage the CreateOrder throughput rounds left behind.
 */
export async function runLabelRenderBenchOnFreshServer({ tmp, env, logFd = 'ignore' }) {
  const server = await startChild('RxRelay', [...SERVE_NODE_FLAGS, HEADLESS, '--data-dir', prepareDataDir(join(tmp, 'labels-data')), '--bestrx-port', '0', '--ui-port', '0'], {
    // No automatic backup (a copy of the whole database) in the middle of a measurement.
    env: { ...env, RXRELAY_BESTRX_USER: CREDENTIALS.user, RXRELAY_BESTRX_PASSWORD: CREDENTIALS.password, RXRELAY_BACKUP_INTERVAL_HOURS: '0' },
    stderr: logFd,
    readyPattern: /RxRelay ready: BestRx endpoint http:\/\/127\.0\.0\.1:(\d+)/,
  });
  try {
    return await runLabelRenderBench({ port: server.port });
  } finally {
    await stopChild(server.child);
  }
}

// `node bench/label-render.mjs` (after `npx electron-vite build`): this measurement on its own.
if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const tmp = await mkdtemp(join(os.tmpdir(), 'rxrelay-labels-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('RXRELAY_')));
  try {
    const { targetResults } = await runLabelRenderBenchOnFreshServer({ tmp, env });
    for (const t of targetResults) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value}`);
    process.exitCode = targetResults.every((t) => t.pass) ? 0 : 1;
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  }
}
