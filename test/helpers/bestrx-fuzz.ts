// Generated requests for fuzzing the BestRx listener (test/integration/bestrx-fuzz.test.ts):
// the seed's examples (test/fixtures/bestrx/*.json) and the partners' event shapes, mutated
// (fields dropped, wrong types, huge strings, unicode, nested junk, numbers as strings, negative
// and NaN-like values, duplicated keys, truncated JSON, wrong content types, bodies near and
// over the 256 KiB limit, bad or missing Basic auth, a foreign Host, an Origin header), plus
// arbitrary bytes; webhooks with random bodies and headers, signatures absent, wrong or right.
//
// Every request is one fast-check value, so a failure shrinks to a small request and prints
// (through `fc.toStringMethod`) as method, path, headers and the start of the body.
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { BODY_LIMIT_BYTES } from '../../src-main/core/bestrx/provider-server';
import { ORDER_EVENT_TEST_PAYLOAD, PRESCRIPTION_EVENT_TEST_PAYLOAD } from '../../src-main/core/partners/caryrx/caryrx-api';
import { honeybeeSignature } from '../../src-main/core/partners/honeybee/honeybee-api';
import { signWebhookBody } from '../../src-main/core/partners/united/united-api';
import { seedExample } from './fixtures';

/** What the generators need to know about the listener under test. */
export interface FuzzTarget {
  baseUrl: string;
  /** host:port of the listener, as a valid Host header. */
  host: string;
  port: number;
  auth: string;
  credentials: { username: string; password: string };
  united?: { webhookSecret: string };
  honeybee?: { staticSecret: string; signingSecret: string };
  caryrx?: { callbackToken: string };
}

export type FuzzRoute = 'create' | 'cancel' | 'validate' | 'webhook' | 'stray';

export interface FuzzRequest {
  route: FuzzRoute;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** false: send no Host header at all. */
  setHost: boolean;
  body: Buffer | undefined;
  /** `length`: Content-Length; `chunked`: Transfer-Encoding: chunked. */
  framing: 'length' | 'chunked';
  /** What was done to it, for the failure report and the summary. */
  notes: string[];
}

export interface FuzzResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

// ---- the seeds ------------------------------------------------------------------------------

/** A few pharmacies, and a small pool of unique order ids, so repeats, amendments and cancels of real orders happen. */
export const PHARMACIES = [
  'ef0a4740-0be9-44f7-b89d-9e66eeba0b9a',
  '0b6c1f7e-3d2a-4c55-9a1e-6f0d2b8c4e11',
  '{9D3E2A10-77B4-4F0C-8E21-5A6B7C8D9E0F}',
];
const SMALL_ID_POOL = 40;

const createSeed = seedExample('create-order.request') as Record<string, unknown>;
const cancelSeed = seedExample('cancel-order.request') as Record<string, unknown>;
const validateSeed = seedExample('validate-address.request') as Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

// ---- junk values ----------------------------------------------------------------------------

const DEEP = '\u0000DEEP:';

/** Values that do not belong where they are put: every type, edge numbers, hostile text. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<unknown>(
      null, true, false, 0, -0, -1, -0.01, 0.001, 0.005, 1.005, 123.456, 10_000_000.01, 1e21, -1e21, 1e308, -1e308, 5e-324,
      Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, 2 ** 64, -(2 ** 31), 4_294_967_296,
      '', ' ', '\t\n', 'true', 'FALSE', 'yes', 'on', '1', '0', '-5', '-0', '007', '0x1A', '1e3', '1E400', 'NaN', 'Infinity', '-Infinity',
      'null', 'undefined', '12.345', '12.', '.5', ' 42 ', '9007199254740993', '٣٤', '１２３', '\u0000', 'a\u0000b', '\ud800', 'a\udfffb',
      '\ud83d\udc8a', 'Ω≈ç√∫', 'ЖЁ', '中文地址', 'ﷺ', '\u202eRTL', 'e\u0301', '\ufeff', '<script>alert(1)</script>',
      "'; DROP TABLE orders; --", '{{7*7}}', '${jndi:ldap://x/a}', '../../etc/passwd', '%00%2e', '\r\n\r\nHTTP/1.1 200 OK',
      '2020-02-30', '2024-02-29', '2023-02-29', '9999-12-31T23:59:59Z', '0000-00-00', '2020-13-01', '2020-06-02T10:00:00+05:30',
      '{ef0a4740-0be9-44f7-b89d-9e66eeba0b9a}', 'EF0A4740-0BE9-44F7-B89D-9E66EEBA0B9A', '00000000-0000-0000-0000-000000000000',
      'RXR-0000000000000', [], {}, [null], [[]], { '': '' }, JSON.parse('{"__proto__":{"polluted":true}}'), ['a', 1, true, null, {}],
    ),
  },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => ({ [DEEP]: `raw:${n}` })) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom(41, 65, 101, 201, 2001, 10_001, 100_000).chain((n) => fc.constantFrom('x', 'é', '💊', ' ').map((c) => c.repeat(n))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  // Nesting deep enough to hurt a recursive reader; written into the text, not built as objects.
  { weight: 1, arbitrary: fc.constantFrom(64, 1_000, 10_000, 60_000).chain((depth) => fc.constantFrom('arr', 'obj').map((open) => ({ [DEEP]: `${open}:${depth}` }))) },
);

// ---- JSON mutations -------------------------------------------------------------------------

const MUTATION_OPS = ['drop', 'set', 'null', 'numberAsString', 'stringAsNumber', 'wrapArray', 'wrapObject', 'emptyString', 'addKey', 'negate', 'huge'] as const;
type MutationOp = (typeof MUTATION_OPS)[number];

interface Mutation {
  op: MutationOp;
  /** Which path (modulo the number of paths). */
  at: number;
  junk: unknown;
  key: string;
}

const extraKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'data', 'request_is_valid', 'bestrx_unique_order_id', 'id', 'order_id'),
  fc.string({ unit: 'binary', maxLength: 12 }),
);

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom(...MUTATION_OPS),
  at: fc.nat(),
  junk: junkValue,
  key: extraKey,
});

type Path = Array<string | number>;

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([...prefix, i]);
      pathsOf(item, [...prefix, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push([...prefix, key]);
      pathsOf((value as Record<string, unknown>)[key], [...prefix, key], out);
    }
  }
  return out;
}

/** Paths to every plain object (the root included), where a key can be added. */
function objectPaths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => objectPaths(item, [...prefix, i], out));
  } else if (value !== null && typeof value === 'object') {
    out.push(prefix);
    for (const [key, child] of Object.entries(value)) objectPaths(child, [...prefix, key], out);
  }
  return out;
}

function parentOf(root: unknown, path: Path): { parent: Record<string | number, unknown>; key: string | number } | undefined {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) {
    const next = node[step];
    if (next === null || typeof next !== 'object') return undefined;
    node = next as Record<string | number, unknown>;
  }
  return { parent: node, key: path[path.length - 1]! };
}

const pathText = (path: Path) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(root)';

/** Applies one mutation in place; returns what it did. */
export function applyMutation(root: Record<string, unknown>, m: Mutation): string {
  if (m.op === 'addKey') {
    const containers = objectPaths(root);
    const target = containers[m.at % containers.length]!;
    let node: Record<string, unknown> = root;
    for (const step of target) node = (node as Record<string | number, unknown>)[step] as Record<string, unknown>;
    // defineProperty, so "__proto__" becomes an own key (and is serialised) instead of a prototype.
    Object.defineProperty(node, m.key, { value: m.junk, enumerable: true, configurable: true, writable: true });
    return `add ${pathText([...target, m.key])}=${short(m.junk)}`;
  }
  const paths = pathsOf(root);
  if (paths.length === 0) return 'nothing to mutate';
  const path = paths[m.at % paths.length]!;
  const found = parentOf(root, path);
  if (!found) return 'no parent';
  const { parent, key } = found;
  const current = parent[key];
  const set = (value: unknown) => {
    parent[key] = value;
  };
  switch (m.op) {
    case 'drop':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      break;
    case 'set':
      set(m.junk);
      break;
    case 'null':
      set(null);
      break;
    case 'numberAsString':
      set(typeof current === 'number' || typeof current === 'boolean' ? String(current) : current);
      break;
    case 'stringAsNumber':
      set(typeof current === 'string' && current.trim() !== '' && !Number.isNaN(Number(current)) ? Number(current) : current);
      break;
    case 'wrapArray':
      set([current]);
      break;
    case 'wrapObject':
      set({ value: current });
      break;
    case 'emptyString':
      set('');
      break;
    case 'negate':
      set(typeof current === 'number' ? -current - 1 : typeof current === 'string' ? `-${current}` : current);
      break;
    case 'huge':
      set(typeof current === 'string' ? current.repeat(Math.max(2, Math.ceil(5_000 / Math.max(1, current.length)))) : typeof current === 'number' ? current * 1e12 : current);
      break;
  }
  return `${m.op} ${pathText(path)}${m.op === 'set' ? `=${short(m.junk)}` : ''}`;
}

function short(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 37)}…(${text.length})` : text;
}

// ---- serialisation --------------------------------------------------------------------------

const ENCODINGS = ['plain', 'pretty', 'dupFirst', 'dupLast', 'truncate', 'bom', 'trailing', 'latin1', 'utf16le', 'nul', 'comment', 'single-quotes'] as const;
type Encoding = (typeof ENCODINGS)[number];
/** Mostly plain JSON, so most requests get past the parser to the fields. */
const encoding: fc.Arbitrary<Encoding> = fc.oneof({ weight: 7, arbitrary: fc.constant('plain' as const) }, { weight: 3, arbitrary: fc.constantFrom(...ENCODINGS.slice(1)) });

/** JSON text, with the DEEP markers written out as real nesting (or raw numbers). */
export function toJsonText(value: unknown, pretty = false): string {
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), pretty ? 2 : undefined) ?? 'null';
  return text.replace(/\{\s*"\\u0000DEEP:"\s*:\s*"([^"]*)"\s*\}/g, (marker, spec: string) => deepText(spec) ?? marker);
}

/** `arr:<depth>` / `obj:<depth>` → nested arrays / objects; `raw:<digits>` → a number JSON.stringify cannot write. A marker mutated into anything else stays as it is. */
function deepText(spec: string): string | undefined {
  const raw = /^raw:(-?\d{1,40})$/.exec(spec);
  if (raw) return raw[1];
  const deep = /^(arr|obj):(\d{1,5})$/.exec(spec);
  if (!deep) return undefined;
  const depth = Number(deep[2]);
  return deep[1] === 'arr' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function encode(value: Record<string, unknown>, encoding: Encoding, at: number, junk: unknown): { body: Buffer; note: string | undefined } {
  const plain = toJsonText(value);
  const keys = Object.keys(value);
  const key = keys.length > 0 ? keys[at % keys.length]! : 'x';
  switch (encoding) {
    case 'plain':
      return { body: Buffer.from(plain), note: undefined };
    case 'pretty':
      return { body: Buffer.from(toJsonText(value, true)), note: 'pretty' };
    case 'dupFirst':
      // JSON.parse keeps the last duplicate: the original value wins.
      return { body: Buffer.from(plain.replace(/^\{/, `{${JSON.stringify(key)}:${toJsonText(junk)},`).replace(/,\}$/, '}')), note: `duplicate key ${key} (first)` };
    case 'dupLast':
      return { body: Buffer.from(plain.replace(/\}$/, `${keys.length > 0 ? ',' : ''}${JSON.stringify(key)}:${toJsonText(junk)}}`)), note: `duplicate key ${key} (last)` };
    case 'truncate': {
      const cut = plain.length > 1 ? at % plain.length : 0;
      return { body: Buffer.from(plain.slice(0, cut)), note: `truncated at ${cut}/${plain.length}` };
    }
    case 'bom':
      return { body: Buffer.from(`\ufeff${plain}`), note: 'BOM' };
    case 'trailing':
      return { body: Buffer.from(plain + ['}', ']', ',', ' x', '\u0000', '{}', '\n\n'][at % 7]!), note: 'trailing garbage' };
    case 'latin1':
      return { body: Buffer.from(plain, 'latin1'), note: 'latin1 bytes' };
    case 'utf16le':
      return { body: Buffer.from(plain, 'utf16le'), note: 'UTF-16LE bytes' };
    case 'nul':
      return { body: Buffer.concat([Buffer.from(plain.slice(0, at % (plain.length + 1))), Buffer.from([0]), Buffer.from(plain.slice(at % (plain.length + 1)))]), note: 'NUL byte inside' };
    case 'comment':
      return { body: Buffer.from(`/* BestRx */${plain}`), note: 'comment' };
    case 'single-quotes':
      return { body: Buffer.from(plain.replaceAll('"', "'")), note: 'single quotes' };
  }
}

// ---- bodies ---------------------------------------------------------------------------------

export interface BodyPlan {
  body: Buffer | undefined;
  notes: string[];
}

const mutations = fc.oneof({ weight: 3, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 7, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 5 }) });

/** A seed body, its ids drawn, then mutated and encoded. */
function mutatedJsonBody(makeBase: (ids: { unique: number; order: number; pharmacy: string; fresh: boolean }) => Record<string, unknown>): fc.Arbitrary<BodyPlan> {
  return fc
    .record({
      fresh: fc.boolean(),
      small: fc.integer({ min: 1, max: SMALL_ID_POOL }),
      large: fc.integer({ min: 1_000_000, max: 2 ** 40 }),
      order: fc.integer({ min: 1, max: 2 ** 31 }),
      pharmacy: fc.constantFrom(...PHARMACIES),
      mutations,
      encoding,
      at: fc.nat(),
      junk: junkValue,
    })
    .map(({ fresh, small, large, order, pharmacy, mutations: ms, encoding: how, at, junk }) => {
      const unique = fresh ? large : small;
      const value = makeBase({ unique, order, pharmacy, fresh });
      const notes = [`unique id ${unique}`, ...ms.map((m) => applyMutation(value, m))];
      const { body, note } = encode(value, how, at, junk);
      if (note) notes.push(note);
      return { body, notes };
    });
}

const baseCreate = ({ unique, order, pharmacy }: { unique: number; order: number; pharmacy: string }) => {
  const body = clone(createSeed);
  body.bestrx_unique_order_id = unique;
  body.bestrx_order_id = order;
  (body.store as Record<string, unknown>).bestrx_pharmacy_id = pharmacy;
  return body;
};

const baseCancel = ({ unique, order, pharmacy, fresh }: { unique: number; order: number; pharmacy: string; fresh: boolean }) => {
  const body = clone(cancelSeed);
  body.bestrx_unique_order_id = unique;
  body.bestrx_order_id = order;
  (body.store as Record<string, unknown>).bestrx_pharmacy_id = pharmacy;
  // The seed's provider_order_id and tracking_id name no order here: keep them only sometimes.
  if (!fresh || order % 3 !== 0) {
    delete body.provider_order_id;
    delete body.tracking_id;
  }
  return body;
};

const baseValidate = ({ order }: { order: number }) => {
  const body = clone(validateSeed);
  const address = body.address_to_validate as Record<string, unknown>;
  const variants = [
    {},
    { zip_code: '60523', city: 'Oak Brook', address_line_1: '2625 butterfield road suite 200s' },
    { zip_code: '', city: 'Chicago', state: 'il' },
    { zip_code: '99999', state: 'ZZ' },
    { zip_code: '10001-1234', city: 'Springfield', state: 'MA' },
    { address_line_1: '1 N Main St Apt 4 Apt 4 #5' },
  ];
  Object.assign(address, variants[order % variants.length]);
  return body;
};

/** Exactly `target` bytes: a valid CreateOrder padded with an unknown field (kept as sent). */
const sizedCreate = fc
  .record({
    target: fc.constantFrom(BODY_LIMIT_BYTES - 1, BODY_LIMIT_BYTES, BODY_LIMIT_BYTES + 1, BODY_LIMIT_BYTES - 4_096, BODY_LIMIT_BYTES + 65_536, 2 * BODY_LIMIT_BYTES, 4 * BODY_LIMIT_BYTES),
    unique: fc.integer({ min: 1_000_000, max: 2 ** 40 }),
    pharmacy: fc.constantFrom(...PHARMACIES),
    pad: fc.constantFrom('x', 'é'),
  })
  .map(({ target, unique, pharmacy, pad }): BodyPlan => {
    const value = baseCreate({ unique, order: unique, pharmacy });
    value.zz_padding = '';
    const empty = Buffer.byteLength(toJsonText(value));
    const room = Math.max(0, target - empty);
    value.zz_padding = pad === 'x' ? 'x'.repeat(room) : 'é'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2);
    const body = Buffer.from(toJsonText(value));
    return { body, notes: [`sized body ${body.length} bytes (limit ${BODY_LIMIT_BYTES})`] };
  });

const otherBodies: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 4_096 }).map((bytes) => ({ body: Buffer.from(bytes), notes: ['random bytes'] })) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ body: Buffer.from(toJsonText(value)), notes: ['random JSON'] })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ body: Buffer.from(text), notes: ['random text'] })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '', ' ', 'null', 'true', '0', '""', '[]', '{}', '[{}]', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{', '}', '{"a":',
      '\ufeff{}', '{"store":null,"recipient":null}', '{"address_to_validate":"x"}', '{"address_to_validate":[]}', '{"store":{"bestrx_pharmacy_id":[]}}',
    ).map((text) => ({ body: Buffer.from(text), notes: [`literal ${JSON.stringify(text)}`] })),
  },
  { weight: 1, arbitrary: fc.constant<BodyPlan>({ body: undefined, notes: ['no body'] }) },
);

// ---- headers --------------------------------------------------------------------------------

/** Content types other than plain `application/json` (some still JSON, most not). */
const ODD_CONTENT_TYPES = [
  'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=latin1', 'application/json; charset=utf-16',
  'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '',
  'application/json, text/plain', 'application/jsonp', 'application/vnd.api+json', '*/*', 'application/octet-stream', '(none)',
] as const;

const asciiHeaderValue = fc.string({ unit: 'binary-ascii', maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());

type HeaderChoice = { value: string | undefined; note: string };

/** Authorization headers other than the right one (a few of them still right). */
function oddAuth(target: FuzzTarget): fc.Arbitrary<HeaderChoice> {
  const { username, password } = target.credentials;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.constantFrom<HeaderChoice>(
        { value: undefined, note: 'no Authorization' },
        { value: `Basic ${b64(`${username}:wrong`)}`, note: 'wrong password' },
        { value: `Basic ${b64(`${username}:${password} `)}`, note: 'password with a trailing space' },
        { value: `Basic ${b64(`${username.toUpperCase()}:${password}`)}`, note: 'user in upper case' },
        { value: `Basic ${b64(`${username}${password}`)}`, note: 'no colon' },
        { value: `Basic ${b64(`:${password}`)}`, note: 'no user' },
        { value: 'Basic', note: 'Basic alone' },
        { value: 'Basic !!!', note: 'not base64' },
        { value: `Bearer ${b64(`${username}:${password}`)}`, note: 'Bearer scheme' },
        { value: `basic ${b64(`${username}:${password}`)}`, note: 'lower-case scheme (valid)' },
        { value: `Basic    ${b64(`${username}:${password}`)}   `, note: 'extra spaces (valid)' },
        { value: `Basic ${b64(`${username}:${password}`).replace(/=+$/, '')}`, note: 'unpadded base64' },
        { value: `Basic ${'A'.repeat(4_000)}`, note: '4 KB of base64' },
        { value: `Basic ${b64(`${username}:${password}\u0000`)}`, note: 'NUL after the password' },
      ),
    },
    { weight: 1, arbitrary: asciiHeaderValue.map((value) => ({ value, note: `Authorization ${JSON.stringify(value)}` })) },
  );
}

/** Host headers other than the listener's own (a few of them still naming it). */
function oddHost(target: FuzzTarget): fc.Arbitrary<HeaderChoice> {
  return fc.constantFrom<HeaderChoice>(
    { value: `localhost:${target.port}`, note: 'Host localhost (valid)' },
    { value: `LOCALHOST:${target.port}`, note: 'Host in upper case (valid)' },
    { value: 'evil.example', note: 'foreign Host' },
    { value: `evil.example:${target.port}`, note: 'foreign Host with our port' },
    { value: '127.0.0.1', note: 'Host without port' },
    { value: `127.0.0.1:${target.port + 1}`, note: 'Host with another port' },
    { value: `127.0.0.1:${target.port}.evil.example`, note: 'Host suffix attack' },
    { value: `[::1]:${target.port}`, note: 'Host [::1]' },
    { value: '', note: 'empty Host' },
    { value: undefined, note: 'no Host header' },
  );
}

const oddOrigin = fc.constantFrom('http://evil.example', 'null', '', 'http://127.0.0.1:8410', 'file://').map((value): HeaderChoice => ({ value, note: `Origin ${JSON.stringify(value)}` }));

const extraHeaders = fc.dictionary(
  fc.constantFrom('x-request-id', 'accept', 'accept-encoding', 'x-forwarded-for', 'x-forwarded-host', 'cookie', 'x-http-method-override', 'user-agent', 'if-none-match'),
  asciiHeaderValue,
  { maxKeys: 2 },
);

// ---- BestRx requests ------------------------------------------------------------------------

const BESTRX_PATHS: Record<'create' | 'cancel' | 'validate', string> = {
  create: '/Order/CreateOrder',
  cancel: '/Order/CancelOrder',
  validate: '/Address/ValidateAddress',
};

/** The ways BestRx may spell a path (matched case-insensitively, trailing slash ignored). */
const goodPath = (path: string) =>
  fc.oneof({ weight: 8, arbitrary: fc.constant(path) }, { weight: 2, arbitrary: fc.constantFrom(path.toLowerCase(), path.toUpperCase(), `${path}/`, `${path}?x=1`) });

const oddPath = (path: string) =>
  fc.constantFrom(`${path}?${'q'.repeat(2_000)}=1`, `${path}#frag`, `/${path}`, `${path}/x`, `${path}%20`, path.replace('/', '/./'), '/', '/Order', '/Order/', '/webhooks', '/labels/x.png', '/track/x', '/signatures/x.png', '/%ff', `${path}%`, '/Order/Create%4Frder');

const oddMethod = fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');

const FAULTS = ['content-type', 'auth', 'host', 'origin', 'method', 'path'] as const;
type Fault = (typeof FAULTS)[number];

/** Which parts of the request around the body are wrong: mostly none, so most requests reach the body. */
const faults: fc.Arbitrary<Fault[]> = fc.oneof(
  { weight: 12, arbitrary: fc.constant<Fault[]>([]) },
  { weight: 6, arbitrary: fc.constantFrom(...FAULTS).map((f) => [f]) },
  { weight: 1, arbitrary: fc.subarray([...FAULTS], { minLength: 2 }) },
);

function bestRxRequest(target: FuzzTarget, route: 'create' | 'cancel' | 'validate'): fc.Arbitrary<FuzzRequest> {
  const bases = { create: baseCreate, cancel: baseCancel, validate: baseValidate };
  const body = fc.oneof({ weight: 16, arbitrary: mutatedJsonBody(bases[route]) }, { weight: 1, arbitrary: sizedCreate }, { weight: 3, arbitrary: otherBodies });
  return fc
    .record({
      wrong: faults,
      path: goodPath(BESTRX_PATHS[route]),
      badPath: oddPath(BESTRX_PATHS[route]),
      badMethod: oddMethod,
      body,
      badContentType: fc.constantFrom(...ODD_CONTENT_TYPES),
      badAuth: oddAuth(target),
      badHost: oddHost(target),
      badOrigin: oddOrigin,
      extra: extraHeaders,
      framing: fc.constantFrom<'length' | 'chunked'>('length', 'length', 'chunked'),
    })
    .map(({ wrong, path, badPath, badMethod, body: plan, badContentType, badAuth, badHost, badOrigin, extra, framing }) => {
      const headers: Record<string, string> = { ...extra };
      const notes = [...plan.notes];
      const is = (fault: Fault) => wrong.includes(fault);
      const contentType = is('content-type') ? badContentType : 'application/json';
      if (contentType !== '(none)') headers['content-type'] = contentType;
      const choose = (fault: Fault, good: string, bad: HeaderChoice, name: string) => {
        if (!is(fault)) return (headers[name] = good);
        notes.push(bad.note);
        if (bad.value !== undefined) headers[name] = bad.value;
        return bad.value;
      };
      choose('auth', target.auth, badAuth, 'authorization');
      const host = choose('host', target.host, badHost, 'host');
      if (is('origin')) {
        notes.push(badOrigin.note);
        headers.origin = badOrigin.value ?? '';
      }
      if (is('content-type')) notes.push(`content-type ${contentType}`);
      if (is('method')) notes.push(`method ${badMethod}`);
      if (is('path')) notes.push(`path ${badPath.slice(0, 60)}`);
      return withToString({
        route,
        method: is('method') ? badMethod : 'POST',
        path: is('path') ? badPath : path,
        headers,
        setHost: host !== undefined,
        body: plan.body,
        framing,
        notes,
      });
    });
}

// ---- partner webhooks -----------------------------------------------------------------------

const unitedEvent = (status: string, uuid: string) => ({
  event: status === 'pending' ? 'order.created' : `order.${status}`,
  order: { uuid, order_id: `RXR-${uuid.slice(0, 8)}`, customer_id: 'cus_1', status },
  shipping: { carrier: 'UPS', tracking: '1Z999', shipping_status: 'in_transit' },
  timestamp: '2026-11-21T09:00:00Z',
});

const HONEYBEE_RX_RECEIVED = {
  event_id: '5d62dca6-1ce3-4807-afc6-8cfaa47577c5',
  event_type: 'RX_RECEIVED',
  patient_id: 'v3y4od',
  medication_requests: [
    {
      id: 82, prescription_id: 82, active: true, patient_id: 'v3y4od', prescriber_name: 'Dr. Jane Foster', receive_date: '2023-05-10T16:16:58.469+00:00',
      drug_name: 'ATORVASTATIN 10MG TABLET', ndc: '5976201551', sig_text: 'Take 1 tablet daily', written_qty: 90, days_supply: null, refills_left: 2,
      expire_date: '2023-06-12T14:15:22Z', drug_schedule: 4,
    },
  ],
};

const partnerName = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom('united', 'caryrx', 'honeybee') },
  { weight: 2, arbitrary: fc.constantFrom('United', 'HONEYBEE', 'CaryRx', 'unknown', 'bestrx', 'x'.repeat(300), '%2e%2e', 'united%00', 'united.json', '__proto__', 'constructor') },
);

const signatureMode = fc.constantFrom('none', 'wrong', 'valid', 'valid', 'valid-then-tampered');

function webhookRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      partner: partnerName,
      signature: signatureMode,
      base: fc.record({
        kind: fc.constantFrom('event', 'event', 'random'),
        status: fc.constantFrom('pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'failed', 'refunded', 'lost'),
        uuid: fc.uuid(),
        mutations: fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutation, { minLength: 1, maxLength: 4 })),
        encoding,
        at: fc.nat(),
        junk: junkValue,
      }),
      other: otherBodies,
      contentType: fc.oneof({ weight: 4, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...ODD_CONTENT_TYPES) }),
      eventHeader: fc.oneof(fc.constant('(from body)'), fc.constant('(none)'), asciiHeaderValue),
      randomSignature: asciiHeaderValue,
      host: fc.oneof(fc.constant(target.host), fc.constantFrom('partner-tunnel.example', 'evil.example', '')),
      origin: fc.option(oddOrigin, { freq: 10 }),
      extra: extraHeaders,
      query: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('?token=', '?token=guess', '?a=1&token=x', `?${'t'.repeat(3_000)}`) }),
      framing: fc.constantFrom<'length' | 'chunked'>('length', 'chunked'),
    })
    .map(({ partner, signature, base, other, contentType, eventHeader, randomSignature, host, origin, extra, query, framing }) => {
      const notes: string[] = [`webhook ${partner}`, `signature ${signature}`];
      let body: Buffer | undefined;
      let bodyEvent: string | undefined;
      if (base.kind === 'event') {
        const lower = partner.toLowerCase();
        const value: Record<string, unknown> =
          lower === 'united'
            ? unitedEvent(base.status, base.uuid)
            : lower === 'caryrx'
              ? clone((base.at % 2 === 0 ? ORDER_EVENT_TEST_PAYLOAD : PRESCRIPTION_EVENT_TEST_PAYLOAD) as unknown as Record<string, unknown>)
              : { ...clone(HONEYBEE_RX_RECEIVED), event_id: base.uuid };
        notes.push(...base.mutations.map((m) => applyMutation(value, m)));
        bodyEvent = typeof value.event === 'string' ? value.event : undefined;
        const encoded = encode(value, base.encoding, base.at, base.junk);
        if (encoded.note) notes.push(encoded.note);
        body = encoded.body;
      } else {
        body = other.body;
        notes.push(...other.notes);
      }
      const headers: Record<string, string> = { ...extra };
      if (contentType !== '(none)') headers['content-type'] = contentType;
      if (host !== '') headers.host = host;
      if (origin) {
        headers.origin = origin.value ?? '';
        notes.push(origin.note);
      }
      let pathQuery = query;
      const bodyText = body?.toString('utf8') ?? '';
      const lower = partner.toLowerCase();
      const signed = signature === 'valid' || signature === 'valid-then-tampered';
      if (lower === 'united') {
        const event = eventHeader === '(from body)' ? bodyEvent : eventHeader === '(none)' ? undefined : eventHeader;
        if (event !== undefined) headers['x-webhook-event'] = event;
        if (signature === 'wrong') headers['x-webhook-signature'] = randomSignature || signWebhookBody('not-the-secret', bodyText);
        if (signed && target.united) headers['x-webhook-signature'] = signWebhookBody(target.united.webhookSecret, bodyText);
      } else if (lower === 'honeybee') {
        if (signature === 'wrong') {
          headers['x-honeybee-secret'] = randomSignature;
          headers['x-honeybee-signature'] = honeybeeSignature('not-the-secret', 'POST', `${target.baseUrl}/webhooks/honeybee`, bodyText);
        }
        if (signed && target.honeybee) {
          headers['x-honeybee-secret'] = target.honeybee.staticSecret;
          headers['x-honeybee-signature'] = honeybeeSignature(target.honeybee.signingSecret, 'POST', `${target.baseUrl}/webhooks/${partner}`, bodyText);
        }
      } else if (lower === 'caryrx') {
        if (signature === 'wrong') pathQuery = `?token=${encodeURIComponent(randomSignature)}`;
        if (signed && target.caryrx) pathQuery = `?token=${target.caryrx.callbackToken}`;
      }
      if (signature === 'valid-then-tampered' && body && body.length > 0) {
        body = Buffer.from(body);
        body[body.length - 1] = body[body.length - 1]! ^ 0x01;
      }
      return withToString({ route: 'webhook' as const, method: 'POST', path: `/webhooks/${partner}${pathQuery}`, headers, setHost: host !== '', body, framing, notes });
    });
}

/** Anything else on the listener: unknown paths and methods, still answered in the envelope. */
function strayRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
      path: fc.oneof(
        fc.constantFrom('/', '/Order', '/Order/UpdateOrderStatus', '/api/orders.list', '/labels/RXR-0000000000000.png', '/labels/..%2f..%2fetc%2fpasswd', '/manifests/x.zpl', '/track/', '/signatures/00000000-0000-0000-0000-000000000000.png', '/labels/RXR-1.png?dpi=999', '/webhooks/', '/favicon.ico'),
        fc.webPath().map((p) => p || '/'),
      ),
      body: otherBodies,
      auth: fc.option(oddAuth(target), { freq: 3 }),
    })
    .map(({ method, path, body, auth }) => {
      const headers: Record<string, string> = { host: target.host, 'content-type': 'application/json', authorization: target.auth };
      if (auth) {
        if (auth.value === undefined) delete headers.authorization;
        else headers.authorization = auth.value;
      }
      const sendBody = method === 'GET' || method === 'OPTIONS' ? undefined : body.body;
      return withToString({ route: 'stray' as const, method, path: path.startsWith('/') ? path : `/${path}`, headers, setHost: true, body: sendBody, framing: 'length', notes: [...body.notes, ...(auth ? [auth.note] : [])] });
    });
}

/** One request to any of the listener's routes. */
export function fuzzRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { weight: 9, arbitrary: bestRxRequest(target, 'create') },
    { weight: 4, arbitrary: bestRxRequest(target, 'cancel') },
    { weight: 3, arbitrary: bestRxRequest(target, 'validate') },
    { weight: 4, arbitrary: webhookRequest(target) },
    { weight: 1, arbitrary: strayRequest(target) },
  );
}

function withToString(request: FuzzRequest): FuzzRequest {
  Object.defineProperty(request, fc.toStringMethod, {
    enumerable: false,
    value: () => {
      const body = request.body === undefined ? '(none)' : `${request.body.length} bytes: ${JSON.stringify(request.body.subarray(0, 300).toString('utf8'))}${request.body.length > 300 ? '…' : ''}`;
      return `${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…(${v.length})` : v))} setHost=${request.setHost} ${request.framing} body ${body} [${request.notes.join('; ')}]`;
    },
  });
  return request;
}

// ---- sending --------------------------------------------------------------------------------

/**
 * Sends one request on a fresh connection. Resolves with the answer even when the server closed
 * the connection while the body was still being written (a refusal before the body is read);
 * rejects only when no answer came at all.
 */
export function sendFuzzRequest(baseUrl: string, r: FuzzRequest, timeoutMs = 15_000): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let settled = false;
    const headers: Record<string, string> = { ...r.headers };
    if (r.body !== undefined && r.framing === 'length') headers['content-length'] = String(r.body.length);
    // Node frames a GET's body only when asked to; unframed, the bytes would be read as the next request.
    if (r.body !== undefined && r.framing === 'chunked') headers['transfer-encoding'] = 'chunked';
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: r.method, path: r.path, headers, setHost: r.setHost, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => finish(error));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    const finish = (error: Error | undefined, response?: FuzzResponse) => {
      if (settled) return;
      settled = true;
      if (response) resolve(response);
      else reject(error ?? new Error('no answer'));
    };
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // EPIPE / ECONNRESET while writing a body the server refused to read: the answer may still come.
    req.on('error', (error) => setTimeout(() => finish(error), 50));
    if (r.body === undefined) {
      req.end();
    } else if (r.framing === 'length') {
      req.end(r.body);
    } else {
      const size = Math.max(1, Math.ceil(r.body.length / 3));
      for (let i = 0; i < r.body.length; i += size) req.write(r.body.subarray(i, i + size));
      req.end();
    }
  });
}

// ---- the envelope ---------------------------------------------------------------------------

/** Problems with a BestRx answer's envelope; empty when it is `{ data, request_is_valid, messages }` as the spec says. */
export function envelopeProblems(response: FuzzResponse): string[] {
  const problems: string[] = [];
  const json = response.json as Record<string, unknown> | undefined;
  if (json === undefined || json === null || typeof json !== 'object' || Array.isArray(json)) return [`not a JSON object: ${response.text.slice(0, 200)}`];
  const contentType = String(response.headers['content-type'] ?? '');
  if (!/^application\/json/i.test(contentType)) problems.push(`content-type ${contentType}`);
  if (json.data === null || typeof json.data !== 'object' || Array.isArray(json.data)) problems.push('data is not an object');
  if (json.request_is_valid !== (response.status === 200)) problems.push(`request_is_valid ${String(json.request_is_valid)} on HTTP ${response.status}`);
  if (!Array.isArray(json.messages)) {
    problems.push('messages is not a list');
  } else {
    for (const m of json.messages as Array<Record<string, unknown>>) {
      if (m === null || typeof m !== 'object' || typeof m.message_code !== 'string' || typeof m.message !== 'string' || typeof m.message_type !== 'number' || Object.keys(m).length !== 3) {
        problems.push(`bad message ${JSON.stringify(m)}`);
      }
    }
    if (response.status !== 200 && (json.messages as unknown[]).length === 0) problems.push('a refusal without a message');
  }
  const extra = Object.keys(json).filter((k) => !['data', 'request_is_valid', 'messages'].includes(k));
  if (extra.length > 0) problems.push(`extra keys ${extra.join(', ')}`);
  return problems;
}

export function messageCodes(response: FuzzResponse): string[] {
  const messages = (response.json as { messages?: Array<{ message_code?: unknown }> } | undefined)?.messages;
  return Array.isArray(messages) ? messages.map((m) => String(m?.message_code)) : [];
}
