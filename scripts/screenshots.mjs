// Takes the README's picture of each role's main page: a fresh demo, each role signed in, one
// phone-sized and one desktop-sized screenshot under docs/screenshots/.
// Run after `cargo build -p staffbank`: node scripts/screenshots.mjs
import { join } from 'node:path';
import { launch, startDemo, signIn, cleanUp } from '../e2e/support.mjs';

/** Each role: the file name, a demo user, and the page that role spends its day on. */
const ROLES = [
  ['bank-worker', 'worker@demo.staffbank.test', '/shifts'],
  ['booker', 'booker@rxl.demo.staffbank.test', '/manage/shifts'],
  ['ward-manager', 'ward.manager@rxl.demo.staffbank.test', '/manage/ward'],
  ['compliance-officer', 'compliance@rxl.demo.staffbank.test', '/manage/workers'],
  ['payroll-officer', 'payroll@rxl.demo.staffbank.test', '/manage/pay-runs'],
  ['credential-issuer', 'issuer@nmc.demo.staffbank.test', '/issue'],
  ['auditor', 'auditor@demo.staffbank.test', '/ledger'],
  ['platform-administrator', 'admin@demo.staffbank.test', '/manage/sign-in-providers'],
];

const browser = await launch();
try {
  const base = await startDemo();
  for (const [name, email, path] of ROLES) {
    for (const [size, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 800 }]]) {
      const context = await browser.newContext({ viewport, locale: 'en-GB' });
      const page = await context.newPage();
      await signIn(page, base, email);
      await page.waitForLoadState('networkidle');
      await page.goto(`${base}${path}`);
      await page.screenshot({ path: join('docs', 'screenshots', `${name}-${size}.jpg`), quality: 70, type: 'jpeg' });
      await context.close();
      console.log(`${name} (${size}): ${path}`);
    }
  }
} finally {
  await cleanUp(browser);
}
