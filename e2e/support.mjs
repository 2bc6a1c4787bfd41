// What every browser test shares: a fresh demo server per test, a headless Chromium, signing in,
// and the axe-core accessibility check (WCAG 2.2 AA).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const BINARY = resolve(process.env.STAFFBANK_BIN ?? 'target/debug/staffbank');
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const servers = [];
const dirs = [];
/** Each demo's folder, by its base URL. */
const folders = new Map();

/** Debian's Chromium, headless. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Closes the browser, stops every demo started and waits for each to exit (a demo may still be
 * writing its email folder), then removes their folders. */
export async function cleanUp(browser) {
  await browser?.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) return resolve();
    const killer = setTimeout(() => server.kill('SIGKILL'), 5_000);
    server.once('exit', () => { clearTimeout(killer); resolve(); });
    server.kill('SIGTERM');
  })));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Starts a fresh demo on a free port and resolves with its base URL. `cwd` is the folder it is
 * started from (the project's root unless given). */
export function startDemo({ cwd } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'staffbank-e2e-'));
  dirs.push(dir);
  const child = spawn(BINARY, ['demo', '--file', join(dir, 'demo.sqlite'), '--listen', '127.0.0.1:0'], {
    cwd,
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
        folders.set(match[1], dir);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}: ${out}`)));
  });
}

/** The emails a demo has sent to `address` so far (the demo writes each to a folder beside its
 * database), as text with quoted-printable soft breaks and `=3D` undone. */
export function emailsTo(base, address) {
  const folder = join(folders.get(base), 'staffbank-demo-mail');
  let names = [];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  // The mail folder names each file after its recipient: letters, digits, `.` and `@` kept,
  // anything else `_`.
  const recipient = address.replace(/[^A-Za-z0-9@.]/g, '_');
  return names
    .filter((name) => name.endsWith(`-${recipient}.eml`))
    .map((name) => readFileSync(join(folder, name), 'utf8').replace(/=\r?\n/g, '').replace(/=3D/g, '='));
}

/** Fails on any WCAG 2.2 AA violation axe-core finds on the page, and on a page wider than the
 * screen at its own width or at 320 px (WCAG 1.4.10, reflow). */
export async function checkAccessibility(page, what) {
  await checkReflow(page, what);
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

/** Fails when the page scrolls sideways at its current width or at 320 px (the width WCAG 1.4.10
 * names); the viewport is put back afterwards. */
export async function checkReflow(page, what) {
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok((await overflow()) <= 0, `${what} scrolls sideways at ${page.viewportSize().width} px`);
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 320, height: viewport.height });
  const extra = await overflow();
  await page.setViewportSize(viewport);
  assert.ok(extra <= 0, `${what} is ${extra} px wider than a 320 px screen`);
}

/** Follows one of the signed-in pages' navigation links, opening the phone's "Menu" first when
 * the links are folded into it. */
export async function goTo(page, linkName) {
  const menu = page.locator('.app-nav__menu');
  if (await menu.isVisible()) {
    if (!(await menu.evaluate((d) => d.open))) await menu.locator('summary').click();
    await menu.getByRole('link', { name: linkName, exact: true }).click();
  } else {
    await page.locator('.app-nav__bar').getByRole('link', { name: linkName, exact: true }).click();
  }
}

/** A JSON API client signed in as `email` with the demo password, to check what a page did. */
export async function apiAs(base, email) {
  const call = async (path, token, init = {}) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...init.headers,
      },
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const signedIn = await call('/api/v1/auth/token', null, {
    method: 'POST', body: JSON.stringify({ email, password: 'staffbank-demo' }),
  });
  assert.equal(signedIn.status, 201, `${email} signs in to the API`);
  const token = signedIn.body.token;
  return {
    get: (path) => call(path, token),
    // Every write carries a fresh Idempotency-Key (bookings need one; other writes ignore it).
    send: (path, method, body) => call(path, token, {
      method, body: JSON.stringify(body), headers: { 'idempotency-key': crypto.randomUUID() },
    }),
  };
}
