// A trust's bank office adds a webhook in the browser: the secret is shown once, a real receiver
// here gets the trust's events signed with it (HMAC-SHA256 over "{t}.{body}", checked
// independently below), a failing receiver shows as retrying with its last problem, and removing
// one asks first and says so afterwards. Phone and desktop widths, each page checked by axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const BOOKER = 'booker@rxl.demo.staffbank.test';
const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

/** A receiver on a free port: records each delivery and whether its signature held. */
async function receiver() {
  const state = { secret: '', status: 200, arrivals: [] };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = request.headers['staffbank-signature'] ?? '';
      const parts = Object.fromEntries(header.split(',').map((p) => p.split('=')));
      const t = Number(parts.t);
      const expected = createHmac('sha256', state.secret).update(`${t}.${body}`).digest();
      const given = Buffer.from(parts.v1 ?? '', 'hex');
      const fresh = Math.abs(Date.now() / 1000 - t) <= 300;
      const verified = fresh && given.length === expected.length && timingSafeEqual(given, expected);
      state.arrivals.push({ verified, event: JSON.parse(body), id: request.headers['staffbank-event-id'] });
      response.writeHead(verified ? state.status : 401).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${server.address().port}/hooks`;
  state.close = () => server.close();
  return state;
}

async function until(what, check, seconds = 20) {
  for (let i = 0; i < seconds * 4; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a booker adds, watches and removes a webhook (${name})`, async () => {
    const base = await startDemo();
    const hooks = await receiver();
    try {
      const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
      await signIn(page, base, BOOKER);
      await page.waitForURL(/\/manage\/shifts$/);
      await goTo(page, 'Webhooks');
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      await page.getByText('Your trust has no webhooks yet.').waitFor();
      await checkAccessibility(page, 'webhooks');

      // Refused: a bad address and no events chosen; nothing is added.
      await page.getByLabel('Web address to send events to').fill('ftp://example.nhs.uk');
      await page.getByRole('button', { name: 'Add webhook' }).click();
      const summary = page.locator('.nhsuk-error-summary');
      await summary.waitFor();
      await summary.getByText(/https:\/\//).waitFor();
      await summary.getByText(/at least one kind of event/).waitFor();
      await checkAccessibility(page, 'webhooks with a problem');
      const api = await apiAs(base, BOOKER);
      assert.deepEqual((await api.get('/api/v1/webhooks')).body, []);

      await page.getByLabel('Web address to send events to').fill(hooks.url);
      await page.getByLabel('Everything that happens at the trust').check();
      await page.getByRole('button', { name: 'Add webhook' }).click();
      await page.getByRole('heading', { name: 'Webhook added' }).waitFor();
      const secret = (await page.locator('#secret').textContent()).trim();
      assert.match(secret, /^whsec_[0-9a-f]{64}$/);
      hooks.secret = secret;
      await checkAccessibility(page, 'webhook added');

      // The trust's own events arrive, signed with that secret (its registration is the first).
      await until('a signed delivery', () => hooks.arrivals.some((a) => a.verified));
      const first = hooks.arrivals.find((a) => a.verified);
      assert.equal(first.event.specversion, '1.0');
      assert.equal(first.event.type, 'uk.nhs.staffbank.webhook.registered');
      assert.equal(first.event.id, first.id);
      assert.ok(first.event.data.tenant, 'the trust is named');

      // The receiver starts failing: the page says so, with the problem, in words.
      hooks.status = 500;
      const another = await api.send('/api/v1/webhooks', 'POST',
        { url: 'https://rostering.example.nhs.uk/events', types: ['uk.nhs.staffbank.shift.*'] });
      assert.equal(another.status, 201, JSON.stringify(another.body));
      await until('a failed delivery', () => hooks.arrivals.some((a) => a.verified && a.event.type === 'uk.nhs.staffbank.webhook.registered' && a !== first));
      await page.getByRole('link', { name: 'Back to webhooks' }).click();
      await until('the page to show the failure', async () => {
        await page.reload();
        return (await page.getByText('answered HTTP 500').count()) > 0;
      });
      await page.getByText(/Last try failed \(\d+ so far\)\. Trying again after \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2}/).waitFor();
      await checkAccessibility(page, 'webhooks with a failing receiver');

      // Removing asks first, then says it is done.
      await page.getByRole('link', { name: `Remove ${hooks.url}` }).click();
      await page.getByRole('heading', { name: 'Remove this webhook?' }).waitFor();
      await checkAccessibility(page, 'remove a webhook');
      await page.getByRole('button', { name: 'Remove webhook' }).click();
      await page.getByText('Webhook removed. Nothing more is sent to it.').waitFor();
      await checkAccessibility(page, 'webhook removed');
      const left = (await api.get('/api/v1/webhooks')).body;
      assert.deepEqual(left.map((h) => h.url), ['https://rostering.example.nhs.uk/events']);
    } finally {
      hooks.close();
    }
  });
}
