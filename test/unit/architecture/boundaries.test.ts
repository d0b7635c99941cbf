// The project's boundaries, checked so a regression fails CI rather than a code review:
// the core runs without Electron, the renderer reaches the core only through the app API,
// and the renderer's CSP is the same wherever it is declared.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { APP_API_METHODS } from '../../../src-shared/app-api-methods';
import { appApiInputSchemas } from '../../../src-shared/app-api-contract';
import { RENDERER_CSP } from '../../../src-shared/renderer-csp';
import { APP_VERSION } from '../../../src-main/core/version';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

async function lintMessages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('architectural boundaries (enforced by lint)', () => {
  it.each([
    [`import { app } from 'electron';\nexport const a = app;\n`, 'src-main/core/probe.ts'],
    [`import Store from 'electron-store';\nexport const s = Store;\n`, 'src-main/core/storage/probe.ts'],
    [`import { x } from '../../src-main/core/probe';\nexport const y = x;\n`, 'src-renderer/src/probe.ts'],
    [`import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n`, 'src-shared/probe.ts'],
  ])('refuses %j in %s', async (code, file) => {
    expect(await lintMessages(code, file)).toEqual([expect.stringMatching(/^no-restricted-imports: /)]);
  });

  it('allows Electron in the shell', async () => {
    expect(await lintMessages(`import { app } from 'electron';\nexport const a = app;\n`, 'src-main/electron/probe.ts')).toEqual([]);
  });
});

describe('one contract, one policy', () => {
  it('the preload allow-list and the zod contract name the same methods', () => {
    expect(Object.keys(appApiInputSchemas).sort()).toEqual([...APP_API_METHODS].sort());
  });

  it('index.html declares the same CSP the servers send', () => {
    const html = readFileSync(join(root, 'src-renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(RENDERER_CSP);
  });

  it('the version shown in the app is package.json’s', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(APP_VERSION).toBe(pkg.version);
  });
});
