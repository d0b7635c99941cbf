// Shared by the benchmark suites (bench/run.mjs and the suites it runs): child processes with
// a ready line, autocannon runs with per-process CPU accounting, and small statistics.
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const HEADLESS = join(ROOT, 'out', 'main', 'headless.js');
// The real server runs with the Node flags `npm run serve` gives it (read from package.json, so
// the benchmark measures what operators run, not a variant of it).
export const SERVE_NODE_FLAGS_FROM_SCRIPT = (() => {
  const serve = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.serve;
  const flags = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+out\/main\/headless\.js/.exec(serve);
  if (!flags) throw new Error(`cannot find "node … out/main/headless.js" in the serve script: ${serve}`);
  return flags[1].trim().split(/\s+/).filter(Boolean);
})();
export const BARE = join(ROOT, 'bench', 'bare-server.mjs');
export const FIXTURE = join(ROOT, 'test', 'fixtures', 'bestrx', 'create-order.request.json');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');

export const SETTINGS = {
  // Enough in flight to saturate either server: both throughputs were flat from 8 to 64
  // connections when this was written, so the choice favours neither side; more would only
  // lengthen queues (and p99). Same for both targets.
  connections: 32,
  pipelining: 1,
  warmupSeconds: 2,
  rounds: 3,
  roundSeconds: 8,
  fixedRate: 500,
  fixedRateSeconds: 10,
  // autocannon's rate limit is a per-connection quota per second, not a schedule: at each
  // second every connection sends back to back until it has used its share, then waits. So
  // the server sees bursts with `fixedRateConnections` requests in flight, and the latency
  // measured grows with that count (p99 roughly 9 / 19 / 33 / 58 / 94 ms at 2 / 5 / 10 / 20 /
  // 32 connections when this was written). 10 is autocannon's own default, i.e. what
  // `autocannon -R 500` measures, chosen before looking at the result rather than tuned to it.
  fixedRateConnections: 10,
  // A short pause between runs lets requests abandoned at the end of the previous run finish
  // on the server, so they are not billed to the next run.
  settleMs: 500,
};

export const TARGETS = {
  realRequestsPerSecond: 1000,
  ratioToBare: 0.15,
  fixedRateP99Ms: 30,
  // A fixed-rate run that did not reach its rate measured something else; 3% slack covers
  // autocannon's per-second bookkeeping at the edges of the run.
  fixedRateAchievedShare: 0.97,
};

export const CREDENTIALS = { user: 'bench', password: 'bench-password-not-secret' };

/**
 * A data folder for a benchmarked server, with the label images *not* inlined in CreateOrder's
 * answer (a setting, on by default): rendering a label and a packing slip costs ~40 ms of CPU
 * per order, which would make the CreateOrder throughput rounds measure the label renderer
 * (benchmarked on its own, see label-render.mjs) rather than the order path. A pharmacy sends
 * a few hundred orders a day, so the default stays on for users.
 */
export function prepareDataDir(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ 'labels.inlineImages': false }), { mode: 0o600 });
  return dir;
}

// --- request bodies -------------------------------------------------------------------------

// (store.bestrx_pharmacy_id, bestrx_unique_order_id) identifies an order: a repeated id is an
// idempotent replay that creates nothing, so every request gets its own id. The fixture is cut
// once around the id and the body is glued per request, so the client stays cheap.
export function bodyTemplate() {
  const text = readFileSync(FIXTURE, 'utf8');
  const pattern = /("bestrx_unique_order_id"\s*:\s*)\d+/g;
  const matches = [...text.matchAll(pattern)];
  if (matches.length !== 1) throw new Error(`expected one bestrx_unique_order_id in ${FIXTURE}, found ${matches.length}`);
  const [match] = matches;
  return { prefix: text.slice(0, match.index) + match[1], suffix: text.slice(match.index + match[0].length) };
}

export const template = bodyTemplate();
// One counter for the whole run: the real server keeps every order it has seen, warm-up included.
let nextOrderId = 1_000_000;
export const setupRequest = (request) => {
  request.body = template.prefix + nextOrderId++ + template.suffix;
  return request;
};

// --- child processes --------------------------------------------------------------------------

export const children = new Set();

export function startChild(name, args, { env, stderr, readyPattern, timeoutMs = 20_000 }) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', stderr] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let seen = '';
    const fail = (why) => {
      clearTimeout(timer);
      reject(new Error(`${name} did not start: ${why}\n${seen.trim()}`));
    };
    const timer = setTimeout(() => fail(`no ready line after ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk) => {
      seen += chunk.toString('utf8');
      const match = readyPattern.exec(seen);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', onData);
      // Keep draining: a child blocked on a full stdout pipe would stall mid-benchmark.
      child.stdout.resume();
      resolve({ child, port: Number(match[1]), match });
    };
    const onExit = (code, signal) => fail(`exited (${signal ?? code})`);
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => fail(error.message));
  });
}

export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// --- measurements -----------------------------------------------------------------------------

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // Not Linux (or no getconf): the /proc readings below are skipped anyway.
}

/** CPU seconds (user + system) a process has used, from /proc; null where there is no /proc. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null;
  }
}

/** Machine-wide busy and total CPU seconds (all cores), from /proc/stat. */
export function machineCpuSeconds() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = values[3] + values[4];
    return { busy: (total - idle) / clockTicks, total: total / clockTicks };
  } catch {
    return null;
  }
}

export function cpuSnapshot(pids) {
  return {
    at: performance.now(),
    self: process.cpuUsage(),
    procs: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)])),
    machine: machineCpuSeconds(),
  };
}

/** CPU used between two snapshots: seconds per process, and cores (1 = one core fully busy). */
export function cpuDelta(before, after) {
  const elapsed = (after.at - before.at) / 1000;
  const cores = (value) => (value === null ? null : round(value / elapsed, 2));
  const seconds = { client: (after.self.user + after.self.system - before.self.user - before.self.system) / 1e6 };
  for (const name of Object.keys(after.procs)) {
    seconds[name] = after.procs[name] === null || before.procs[name] === null ? null : after.procs[name] - before.procs[name];
  }
  const result = { client: cores(seconds.client) };
  for (const name of Object.keys(after.procs)) result[`${name}_server`] = cores(seconds[name]);
  if (after.machine && before.machine) {
    const busy = after.machine.busy - before.machine.busy;
    const accounted = Object.values(seconds).reduce((sum, value) => sum + (value ?? 0), 0);
    result.machine = cores(busy);
    // Whatever else ran meanwhile: other programs on the shared machine, kernel threads.
    result.other = cores(Math.max(0, busy - accounted));
  }
  return { cores: result, seconds };
}

export function peakRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peak_rss_mib: round(kib('VmHWM') / 1024, 1), rss_mib: round(kib('VmRSS') / 1024, 1) };
  } catch {
    return null;
  }
}

export const round = (value, digits) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** Nearest-rank percentile of sorted samples. */
export const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
export const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

// --- load -------------------------------------------------------------------------------------

export const headers = {
  'content-type': 'application/json',
  authorization: 'Basic ' + Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`).toString('base64'),
};

/**
 * One autocannon run. Latency percentiles come from every response's own time, sorted here:
 * autocannon's histogram has 1 ms resolution, too coarse for a bare server answering in ~2 ms.
 */
export async function load(target, { seconds, connections, overallRate, pids }) {
  const samples = [];
  const before = cpuSnapshot(pids);
  const run = autocannon({
    url: `http://127.0.0.1:${target.port}/Order/CreateOrder`,
    method: 'POST',
    headers,
    connections,
    pipelining: SETTINGS.pipelining,
    duration: seconds,
    ...(overallRate
      ? {
          overallRate,
          // autocannon "corrects" rate-limited latencies with an expected interval of
          // ceil(1 / rate) = 1 ms (rate in req/s, histogram in ms), inventing samples for every
          // response slower than 1 ms; and its limiter sends each second's quota back to back,
          // so there is no intended send time to correct against. Raw times are reported.
          ignoreCoordinatedOmission: true,
        }
      : {}),
    requests: [{ setupRequest }],
  });
  run.on('response', (_client, _status, _bytes, ms) => samples.push(ms));
  const result = await run;
  const cpu = cpuDelta(before, cpuSnapshot(pids));
  const sorted = Float64Array.from(samples).sort();
  const completed = result.requests.total;
  return {
    target: target.name,
    seconds: result.duration,
    connections,
    overall_rate: overallRate ?? null,
    requests_per_second: round(result.requests.average, 1),
    completed,
    latency_ms: {
      p50: round(percentile(sorted, 0.5), 2),
      p99: round(percentile(sorted, 0.99), 2),
      p99_9: round(percentile(sorted, 0.999), 2),
      max: round(sorted[sorted.length - 1], 2),
    },
    autocannon_latency_ms: { p50: result.latency.p50, p99: result.latency.p99, p99_9: result.latency.p99_9 },
    errors: result.errors,
    timeouts: result.timeouts,
    non_2xx: result.non2xx,
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
    cpu_cores: cpu.cores,
    server_cpu_us_per_request: completed > 0 && cpu.seconds[target.name] != null ? round((cpu.seconds[target.name] / completed) * 1e6, 0) : null,
  };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const failures = (run) => run.errors + run.timeouts + run.non_2xx;

// --- reporting --------------------------------------------------------------------------------

export function table(rows, columns) {
  const widths = columns.map(([title, get]) => Math.max(title.length, ...rows.map((row) => String(get(row) ?? '-').length)));
  const line = (cells) => cells.map((cell, i) => String(cell ?? '-').padStart(widths[i])).join('  ');
  return [line(columns.map(([title]) => title)), ...rows.map((row) => line(columns.map(([, get]) => get(row))))].join('\n');
}

export const runColumns = [
  ['run', (r) => r.label],
  ['target', (r) => r.target],
  ['req/s', (r) => r.requests_per_second],
  ['p50 ms', (r) => r.latency_ms.p50],
  ['p99 ms', (r) => r.latency_ms.p99],
  ['err', (r) => r.errors],
  ['t/o', (r) => r.timeouts],
  ['non2xx', (r) => r.non_2xx],
  ['srv cpu', (r) => r.cpu_cores[`${r.target}_server`]],
  ['client cpu', (r) => r.cpu_cores.client],
  ['other cpu', (r) => r.cpu_cores.other],
  ['srv µs/req', (r) => r.server_cpu_us_per_request],
];

export function directoryBytes(dir) {
  try {
    return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return null;
  }
}

export function countOutcomes(logFile) {
  const outcomes = {};
  try {
    for (const match of readFileSync(logFile, 'utf8').matchAll(/"event":"bestrx\.create_order","outcome":"(\w+)"/g)) {
      outcomes[match[1]] = (outcomes[match[1]] ?? 0) + 1;
    }
  } catch {
    return null;
  }
  return outcomes;
}
export const SERVE_NODE_FLAGS = [...SERVE_NODE_FLAGS_FROM_SCRIPT, ...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [])];
