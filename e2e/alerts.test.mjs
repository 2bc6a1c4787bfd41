// In a real headless Chromium, at phone and desktop widths: a bank worker opens "Alerts on this
// device" from their preferences, sees that this browser does not get alerts yet (the service
// worker registers under the strict Content-Security-Policy), sees a device subscribed through the
// API or the page's form listed with when it was added, and turns one off, which the API confirms. Headless
// Chromium cannot reach a real push service, so subscribing itself is tested by the API tests
// against a local push endpoint. Every page has no WCAG 2.2 AA violation according to axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const WORKER = 'worker@demo.staffbank.test';
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

/** A browser's subscription keys as `PushSubscription.toJSON()` gives them. */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  return {
    p256dh: ecdh.generateKeys().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
}

for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`a worker sees which devices get alerts and turns one off (${name})`, async () => {
    const base = await startDemo();
    // axe is injected as a script, which the page's Content-Security-Policy would rightly refuse.
    const context = await browser.newContext({ viewport, bypassCSP: true });
    const page = await context.newPage();
    const api = await apiAs(base, WORKER);

    const key = await fetch(`${base}/api/v1/push/vapid-public-key`).then((r) => r.json());
    assert.equal(Buffer.from(key.public_key, 'base64url').length, 65);
    const worker = await fetch(`${base}/sw.js`);
    assert.match(worker.headers.get('content-type'), /javascript/);

    await signIn(page, base, WORKER);
    await page.waitForURL(/\/shifts$/);
    await goTo(page, 'Preferences');
    await page.getByRole('link', { name: 'Alerts on this device' }).click();
    await page.waitForURL(/\/me\/alerts$/);
    await page.getByRole('heading', { name: 'Alerts on this device', level: 1 }).waitFor();
    const status = page.locator('#this-device-status');
    await page.waitForFunction(() => /for this device|cannot show alerts|could not be set up/
      .test(document.getElementById('this-device-status').textContent));
    assert.equal((await status.textContent()).trim(), 'Alerts are off for this device.');
    assert.ok(await page.getByRole('button', { name: 'Turn on alerts for this device' }).isVisible());
    assert.ok(await page.getByText('No devices get alerts yet.').isVisible());
    await checkAccessibility(page, 'alerts with no devices');

    // What the page's script does once the browser has subscribed: posts through the page's form.
    await page.evaluate((keys) => {
      const form = document.getElementById('subscribe-form');
      form.elements.endpoint.value = 'https://updates.push.services.mozilla.com/wpush/v2/e2e';
      form.elements.p256dh.value = keys.p256dh;
      form.elements.auth.value = keys.auth;
      form.submit();
    }, browserKeys());
    await page.waitForURL(/\/me\/alerts\?done=on$/);
    await page.getByText(/^Alerts are on for this device\. You will get/).waitFor();
    await page.locator('.nhsuk-card', { hasText: 'Firefox browser' }).waitFor();

    const added = await api.send('/api/v1/me/push-subscriptions', 'POST', {
      endpoint: 'https://fcm.googleapis.com/fcm/send/e2e-device', ...browserKeys(),
    });
    assert.equal(added.status, 201);
    const refused = await api.send('/api/v1/me/push-subscriptions', 'POST', {
      endpoint: 'http://push.example.net/x', ...browserKeys(),
    });
    assert.equal(refused.status, 422);

    await page.reload();
    const card = page.locator('.nhsuk-card', { hasText: 'Chrome or Edge browser' });
    await card.waitFor();
    assert.match(await card.textContent(), /Added [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/);
    await page.waitForFunction(() => /for this device/
      .test(document.getElementById('this-device-status').textContent));
    // That subscription is another device's, so this one is still off.
    assert.equal((await status.textContent()).trim(), 'Alerts are off for this device.');
    await checkAccessibility(page, 'alerts with a device');

    await card.getByRole('button', { name: /Turn off alerts/ }).click();
    await page.waitForURL(/\/me\/alerts\?done=off$/);
    await page.getByText('Alerts are off for that device.').waitFor();
    await checkAccessibility(page, 'alerts after turning one off');
    const left = await api.get('/api/v1/me/push-subscriptions');
    assert.deepEqual(left.body.map((s) => s.endpoint), ['https://updates.push.services.mozilla.com/wpush/v2/e2e']);
    await context.close();
  });
}
