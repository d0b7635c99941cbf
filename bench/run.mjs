// `npm run bench`: how much of a bare Node HTTP server's throughput RxRelay's CreateOrder path
// keeps, and its latency at a fixed moderate rate. The three targets come from the issue; the
// run exits 1 when one fails, so the benchmark doubles as a check. Exit 2 means the harness
// itself could not run (build missing, a server did not start, ...).
//
// Both servers run as child processes, each with its own event loop; autocannon runs here. On
// a 2-core machine the three compete for CPU, so every round also records how much CPU each
// process (and everything else on the machine) used: without that, a slow round cannot be told
// apart from a busy neighbour.
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, statfsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEADLESS = join(ROOT, 'out', 'main', 'headless.js');
// The real server runs with the Node flags `npm run serve` gives it (read from package.json, so
// the benchmark measures what operators run, not a variant of it).
const SERVE_NODE_FLAGS = (() => {
  const serve = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.serve;
  const flags = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+out\/main\/headless\.js/.exec(serve);
  if (!flags) throw new Error(`cannot find "node … out/main/headless.js" in the serve script: ${serve}`);
  return flags[1].trim().split(/\s+/).filter(Boolean);
})();
const BARE = join(ROOT, 'bench', 'bare-server.mjs');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'bestrx', 'create-order.request.json');
const RESULTS_DIR = join(ROOT, 'bench', 'results');

const SETTINGS = {
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

const TARGETS = {
  realRequestsPerSecond: 1000,
  ratioToBare: 0.15,
  fixedRateP99Ms: 30,
  // A fixed-rate run that did not reach its rate measured something else; 3% slack covers
  // autocannon's per-second bookkeeping at the edges of the run.
  fixedRateAchievedShare: 0.97,
};

const CREDENTIALS = { user: 'bench', password: 'bench-password-not-secret' };

// --- request bodies -------------------------------------------------------------------------

// (store.bestrx_pharmacy_id, bestrx_unique_order_id) identifies an order: a repeated id is an
// idempotent replay that creates nothing, so every request gets its own id. The fixture is cut
// once around the id and the body is glued per request, so the client stays cheap.
function bodyTemplate() {
  const text = readFileSync(FIXTURE, 'utf8');
  const pattern = /("bestrx_unique_order_id"\s*:\s*)\d+/g;
  const matches = [...text.matchAll(pattern)];
  if (matches.length !== 1) throw new Error(`expected one bestrx_unique_order_id in ${FIXTURE}, found ${matches.length}`);
  const [match] = matches;
  return { prefix: text.slice(0, match.index) + match[1], suffix: text.slice(match.index + match[0].length) };
}

const template = bodyTemplate();
// One counter for the whole run: the real server keeps every order it has seen, warm-up included.
let nextOrderId = 1_000_000;
const setupRequest = (request) => {
  request.body = template.prefix + nextOrderId++ + template.suffix;
  return request;
};

// --- child processes --------------------------------------------------------------------------

const children = new Set();
let tmpDir = null;

function startChild(name, args, { env, stderr, readyPattern, timeoutMs = 20_000 }) {
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
      resolve({ child, port: Number(match[1]) });
    };
    const onExit = (code, signal) => fail(`exited (${signal ?? code})`);
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => fail(error.message));
  });
}

async function stopChild(child) {
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
function processCpuSeconds(pid) {
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
function machineCpuSeconds() {
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

function cpuSnapshot(pids) {
  return {
    at: performance.now(),
    self: process.cpuUsage(),
    procs: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)])),
    machine: machineCpuSeconds(),
  };
}

/** CPU used between two snapshots: seconds per process, and cores (1 = one core fully busy). */
function cpuDelta(before, after) {
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

function peakRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { peak_rss_mib: round(kib('VmHWM') / 1024, 1), rss_mib: round(kib('VmRSS') / 1024, 1) };
  } catch {
    return null;
  }
}

const round = (value, digits) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** Nearest-rank percentile of sorted samples. */
const percentile = (sorted, p) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

// --- load -------------------------------------------------------------------------------------

const headers = {
  'content-type': 'application/json',
  authorization: 'Basic ' + Buffer.from(`${CREDENTIALS.user}:${CREDENTIALS.password}`).toString('base64'),
};

/**
 * One autocannon run. Latency percentiles come from every response's own time, sorted here:
 * autocannon's histogram has 1 ms resolution, too coarse for a bare server answering in ~2 ms.
 */
async function load(target, { seconds, connections, overallRate, pids }) {
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const failures = (run) => run.errors + run.timeouts + run.non_2xx;

// --- reporting --------------------------------------------------------------------------------

function table(rows, columns) {
  const widths = columns.map(([title, get]) => Math.max(title.length, ...rows.map((row) => String(get(row) ?? '-').length)));
  const line = (cells) => cells.map((cell, i) => String(cell ?? '-').padStart(widths[i])).join('  ');
  return [line(columns.map(([title]) => title)), ...rows.map((row) => line(columns.map(([, get]) => get(row))))].join('\n');
}

const runColumns = [
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

function directoryBytes(dir) {
  try {
    return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return null;
  }
}

function countOutcomes(logFile) {
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

// --- main -------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(HEADLESS)) throw new Error(`${HEADLESS} is missing: run \`npx electron-vite build\` first (npm run bench does).`);
  const startedAt = new Date();
  const loadStart = os.loadavg();
  const tmp = (tmpDir = await mkdtemp(join(os.tmpdir(), 'rxrelay-bench-')));
  const serverLog = join(tmp, 'server.log');
  const logFd = openSync(serverLog, 'w');
  let real;
  let bare;
  try {
    // The real server gets only the credentials from our environment: an RXRELAY_* variable
    // left in the shell (a status URL, a sandbox switch) would change what is measured.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('RXRELAY_')));
    // The server's per-request log lines go to a file: a pipe read by this process would bill
    // the logging to the load generator's CPU.
    [real, bare] = await Promise.all([
      startChild('RxRelay', [...SERVE_NODE_FLAGS, HEADLESS, '--data-dir', join(tmp, 'data'), '--bestrx-port', '0', '--ui-port', '0'], {
        env: { ...env, RXRELAY_BESTRX_USER: CREDENTIALS.user, RXRELAY_BESTRX_PASSWORD: CREDENTIALS.password },
        stderr: logFd,
        readyPattern: /RxRelay ready: BestRx endpoint http:\/\/127\.0\.0\.1:(\d+)/,
      }),
      startChild('bare server', [BARE, '0'], { env, stderr: 'inherit', readyPattern: /^ready (\d+)$/m }),
    ]);
    const targets = { bare: { name: 'bare', port: bare.port }, real: { name: 'real', port: real.port } };
    const pids = { real: real.child.pid, bare: bare.child.pid };
    let fsType = null;
    try {
      fsType = statfsSync(tmp).type;
    } catch {
      // Older Node or no statfs: only informational.
    }
    if (fsType === 0x01021994) console.warn('warning: the temp dir is on tmpfs, so synchronous=FULL costs no disk flush here');

    console.log(`RxRelay on :${real.port}, bare node:http on :${bare.port}; ${os.cpus().length} CPUs, Node ${process.version}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
    const base = { connections: SETTINGS.connections, pids };

    // Warm-up: JIT, connection pools, SQLite's page cache and the first WAL checkpoint happen
    // here, not in the first measured round.
    const warmup = [];
    for (const name of ['bare', 'real']) {
      warmup.push({ label: 'warm-up', ...(await load(targets[name], { ...base, seconds: SETTINGS.warmupSeconds })) });
      await sleep(SETTINGS.settleMs);
    }

    // Interleaved A/B rounds: on a shared machine, load from elsewhere drifts over the run; by
    // alternating targets (and which goes first) the drift lands on both sides about equally
    // instead of on whichever ran second.
    const rounds = [];
    for (let i = 0; i < SETTINGS.rounds; i++) {
      const order = i % 2 === 0 ? ['bare', 'real'] : ['real', 'bare'];
      for (const name of order) {
        rounds.push({ label: `round ${i + 1}`, round: i + 1, ...(await load(targets[name], { ...base, seconds: SETTINGS.roundSeconds })) });
        await sleep(SETTINGS.settleMs);
      }
    }

    const fixed = {
      label: 'fixed rate',
      ...(await load(targets.real, { seconds: SETTINGS.fixedRateSeconds, connections: SETTINGS.fixedRateConnections, overallRate: SETTINGS.fixedRate, pids })),
    };
    fixed.achieved_rate = round(fixed.completed / fixed.seconds, 1);

    const memory = { real: peakRss(pids.real), bare: peakRss(pids.bare) };
    await Promise.all([stopChild(real.child), stopChild(bare.child)]);
    const outcomes = countOutcomes(serverLog);
    const databaseBytes = directoryBytes(join(tmp, 'data'));

    // Per target: mean of the rounds' req/s (throughput adds up), median of the rounds'
    // p50/p99 (one disturbed round should not move a percentile summary).
    const summarize = (name) => {
      const mine = rounds.filter((r) => r.target === name);
      return {
        rounds: mine.length,
        requests_per_second_mean: round(mean(mine.map((r) => r.requests_per_second)), 1),
        requests_per_second_min: Math.min(...mine.map((r) => r.requests_per_second)),
        requests_per_second_max: Math.max(...mine.map((r) => r.requests_per_second)),
        latency_p50_ms_median: round(median(mine.map((r) => r.latency_ms.p50)), 2),
        latency_p99_ms_median: round(median(mine.map((r) => r.latency_ms.p99)), 2),
        errors: mine.reduce((sum, r) => sum + r.errors, 0),
        timeouts: mine.reduce((sum, r) => sum + r.timeouts, 0),
        non_2xx: mine.reduce((sum, r) => sum + r.non_2xx, 0),
        server_cpu_us_per_request_median: round(median(mine.map((r) => r.server_cpu_us_per_request ?? NaN)), 0),
      };
    };
    const summary = { bare: summarize('bare'), real: summarize('real') };
    const ratio = round(summary.real.requests_per_second_mean / summary.bare.requests_per_second_mean, 3);
    // Each round's own ratio, real over bare of the same round: drift within a round pair
    // cancels, so their spread shows how much to trust the headline ratio.
    const roundRatios = [];
    for (let i = 1; i <= SETTINGS.rounds; i++) {
      const pair = rounds.filter((r) => r.round === i);
      const rate = (name) => pair.find((r) => r.target === name).requests_per_second;
      roundRatios.push(round(rate('real') / rate('bare'), 3));
    }

    // Zero errors means zero for every request sent to the real path in this run.
    const realRuns = [...warmup, ...rounds, fixed].filter((r) => r.target === 'real');
    const realFailures = {
      errors: realRuns.reduce((sum, r) => sum + r.errors, 0),
      timeouts: realRuns.reduce((sum, r) => sum + r.timeouts, 0),
      non_2xx: realRuns.reduce((sum, r) => sum + r.non_2xx, 0),
    };
    const realFailureCount = realFailures.errors + realFailures.timeouts + realFailures.non_2xx;
    const fixedRateReached = fixed.achieved_rate >= TARGETS.fixedRateAchievedShare * SETTINGS.fixedRate;

    // margin: measured over required (inverted for the latency), so >= 1 means met.
    const targetResults = [
      {
        name: `CreateOrder >= ${TARGETS.realRequestsPerSecond} req/s with zero errors`,
        pass: summary.real.requests_per_second_mean >= TARGETS.realRequestsPerSecond && realFailureCount === 0,
        value: `${summary.real.requests_per_second_mean} req/s (mean of ${SETTINGS.rounds} rounds), ${realFailureCount} errors+timeouts+non-2xx`,
        margin: round(summary.real.requests_per_second_mean / TARGETS.realRequestsPerSecond, 3),
      },
      {
        name: `ratio to bare >= ${TARGETS.ratioToBare} (synchronous=FULL)`,
        pass: ratio >= TARGETS.ratioToBare,
        value: `${ratio} (rounds: ${roundRatios.join(', ')})`,
        margin: round(ratio / TARGETS.ratioToBare, 3),
      },
      {
        name: `p99 <= ${TARGETS.fixedRateP99Ms} ms at a fixed ${SETTINGS.fixedRate} req/s`,
        pass: fixedRateReached && failures(fixed) === 0 && fixed.latency_ms.p99 <= TARGETS.fixedRateP99Ms,
        value: `p99 ${fixed.latency_ms.p99} ms at ${fixed.achieved_rate} req/s achieved${fixedRateReached ? '' : ' (rate NOT reached)'}`,
        margin: round(TARGETS.fixedRateP99Ms / fixed.latency_ms.p99, 3),
      },
    ];

    console.log('\n' + table([...warmup, ...rounds, fixed], runColumns));
    console.log('\n(latency: percentiles of every response time; cpu: cores used during the run, 1 = one full core; "other" is everything else on the machine, kernel I/O threads included)');
    console.log('(per target below: req/s is the mean of the rounds, p50/p99 the median of the round percentiles)');
    console.log(
      '\n' +
        table(
          ['bare', 'real'].map((name) => ({ name, ...summary[name] })),
          [
            ['target', (s) => s.name],
            ['req/s mean', (s) => s.requests_per_second_mean],
            ['min', (s) => s.requests_per_second_min],
            ['max', (s) => s.requests_per_second_max],
            ['p50 ms median', (s) => s.latency_p50_ms_median],
            ['p99 ms median', (s) => s.latency_p99_ms_median],
            ['srv µs/req median', (s) => s.server_cpu_us_per_request_median],
          ],
        ),
    );
    console.log(`\nratio real/bare: ${ratio} (per round: ${roundRatios.join(', ')})`);
    console.log(
      `fixed rate: ${fixed.achieved_rate} req/s achieved of ${SETTINGS.fixedRate} (${SETTINGS.fixedRateConnections} connections), ` +
        `p50 ${fixed.latency_ms.p50} ms, p99 ${fixed.latency_ms.p99} ms, p99.9 ${fixed.latency_ms.p99_9} ms, max ${fixed.latency_ms.max} ms, ` +
        `errors ${fixed.errors}, timeouts ${fixed.timeouts}, non-2xx ${fixed.non_2xx}`,
    );
    if (memory.real) console.log(`RxRelay peak RSS: ${memory.real.peak_rss_mib} MiB (bare server: ${memory.bare?.peak_rss_mib ?? '?'} MiB)`);
    if (outcomes) {
      const repeats = Object.entries(outcomes).filter(([kind]) => kind !== 'created');
      console.log(`orders: ${outcomes.created ?? 0} created${repeats.length ? `, UNEXPECTED ${repeats.map(([k, n]) => `${n} ${k}`).join(', ')}` : ''}`);
      if (databaseBytes && outcomes.created) console.log(`data dir: ${round(databaseBytes / 2 ** 20, 1)} MiB, ${round(databaseBytes / outcomes.created, 0)} bytes per order`);
    }
    console.log('');
    for (const t of targetResults) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.value}`);

    const finishedAt = new Date();
    const report = {
      timestamp: startedAt.toISOString(),
      duration_seconds: round((finishedAt - startedAt) / 1000, 1),
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? null,
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        total_memory_mib: Math.round(os.totalmem() / 2 ** 20),
        load_average_start_end: [loadStart, os.loadavg()],
        temp_fs_type: fsType === null ? null : `0x${fsType.toString(16)}`,
      },
      settings: SETTINGS,
      targets: TARGETS,
      aggregation: 'req/s: mean of rounds; p50/p99: median of the round percentiles; latency percentiles per run are nearest-rank over every response time (ms)',
      results: targetResults,
      pass: targetResults.every((t) => t.pass),
      summary: { ...summary, ratio, round_ratios: roundRatios, real_failures: realFailures },
      fixed_rate: fixed,
      warmup,
      rounds,
      memory,
      create_order_outcomes: outcomes,
      data_dir_bytes: databaseBytes,
    };
    await mkdir(RESULTS_DIR, { recursive: true });
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const json = JSON.stringify(report, null, 2) + '\n';
    await writeFile(join(RESULTS_DIR, `create-order-${stamp}.json`), json);
    await writeFile(join(RESULTS_DIR, 'latest.json'), json);
    console.log(`\nwrote bench/results/create-order-${stamp}.json and bench/results/latest.json`);
    return report.pass ? 0 : 1;
  } catch (error) {
    const tail = await readFile(serverLog, 'utf8').catch(() => '');
    if (tail) console.error(`last RxRelay log lines:\n${tail.trim().split('\n').slice(-10).join('\n')}`);
    throw error;
  } finally {
    await Promise.all([...children].map(stopChild));
    closeSync(logFd);
    await rm(tmp, { recursive: true, force: true });
    tmpDir = null;
  }
}

// Ctrl-C: stop the servers and remove the data dir before leaving.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    Promise.all([...children].map(stopChild)).finally(() => {
      if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench failed: ${error.stack ?? error}`);
    process.exit(2);
  },
);
