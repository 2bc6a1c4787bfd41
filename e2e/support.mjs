// What every browser test shares: a fresh demo server per test, a headless Chromium, signing in,
// and the axe-core accessibility check (WCAG 2.2 AA).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const BINARY = process.env.STAFFBANK_BIN ?? 'target/debug/staffbank';
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const servers = [];
const dirs = [];

/** Debian's Chromium, headless. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Closes the browser and stops every demo started. */
export async function cleanUp(browser) {
  await browser?.close();
  for (const server of servers) server.kill('SIGTERM');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/** Starts a fresh demo on a free port and resolves with its base URL. */
export function startDemo() {
  const dir = mkdtempSync(join(tmpdir(), 'staffbank-e2e-'));
  dirs.push(dir);
  const child = spawn(BINARY, ['demo', '--file', join(dir, 'demo.sqlite'), '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`demo did not start: ${out}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/running at (http:\/\/[^\s]+)\//);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
  });
}

/** Fails on any WCAG 2.2 AA violation axe-core finds on the page. */
export async function checkAccessibility(page, what) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    WCAG,
  );
  const summary = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  assert.deepEqual(summary, [], `${what} has accessibility violations`);
}

/** Signs in through the sign-in page with the demo password. */
export async function signIn(page, base, email) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('staffbank-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
}
