// Browser tests of both apps against the real server with demo data.
//
// 1. starts the packaged platform jar (../platform/target/...) on a free port, with the demo data on a
//    private in-memory H2 database, so runs never share state;
// 2. serves the built apps (dist/, `npm run build` first) with `vite preview`, whose proxy forwards
//    /graphql, /graphql-ws, /login and /v1 to that server (the same proxy `npm run dev` uses);
// 3. drives Debian's Chromium (/usr/bin/chromium, never a downloaded browser) with playwright-core;
// 4. saves a screenshot of every page into target/screenshots and stops everything.
//
// Environment: METERLINE_JAR (another jar), CHROMIUM (another browser binary), E2E_KEEP_SERVER_LOG=1.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, existsSync, rmSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const target = join(root, 'target');
const shots = join(target, 'screenshots');
const jar = process.env.METERLINE_JAR ?? resolve(root, '../platform/target/meterline-platform-0.1.0-SNAPSHOT.jar');
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const LOCALE = 'en-US';
const ORG_USER = { email: 'admin@northwind.demo', password: 'demo-password-1' };
const ADMIN = { email: 'admin@meterline.local', password: 'meterline-operator' };
const ORG_MEMBER = { email: 'member@northwind.demo', password: 'demo-password-1' };

const started = Date.now();
const log = (message) => console.log(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

// ---------------------------------------------------------------- server
async function startServer() {
  if (!existsSync(jar)) throw new Error(`${jar} is missing: build the platform first (./mvnw -q -B -ntp package -DskipTests)`);
  const port = await freePort();
  const db = `ui_e2e_${randomBytes(4).toString('hex')}`;
  const work = mkdtempSync(join(tmpdir(), 'meterline-ui-e2e-'));
  const env = {
    ...process.env,
    MICRONAUT_ENVIRONMENTS: 'demo',
    METERLINE_PORT: String(port),
    MICRONAUT_SERVER_PORT: String(port),
    METERLINE_DB_URL: `jdbc:h2:mem:${db};MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_DELAY=-1`,
    METERLINE_DB_USER: 'sa',
    METERLINE_DB_PASSWORD: '',
    METERLINE_JWT_SECRET: randomBytes(32).toString('hex'),
    // Roll usage up every second (default 5 s), so the dashboards settle quickly after recording.
    METERLINE_ANALYTICS_ROLL_INTERVAL: '1s',
  };
  const logFile = join(target, 'e2e-server.log');
  rmSync(logFile, { force: true });
  const out = createWriteStream(logFile);
  const child = spawn('java', ['-jar', jar], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = once(child, 'exit');
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}; see target/e2e-server.log`);
    if (Date.now() > deadline) throw new Error('the server did not start within 300 s; see target/e2e-server.log');
    // The demo data is seeded before Micronaut reports the start; only then are all numbers final.
    const started = existsSync(logFile) && readFileSync(logFile, 'utf8').includes('Startup completed');
    if (started) try {
      const r = await fetch(`${base}/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: ORG_USER.email, password: ORG_USER.password }) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- API helpers (the test's own view)
async function login(base, { email, password }) {
  const r = await fetch(`${base}/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: email, password }) });
  assert.equal(r.status, 200, `sign-in of ${email}`);
  return (await r.json()).access_token;
}

async function gql(base, token, query, variables = {}) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const num = (value, digits = 0) => Number(value).toLocaleString(LOCALE, { maximumFractionDigits: digits });
const money = (m, digits) => Number(m.amount).toLocaleString(LOCALE, { style: 'currency', currency: m.currencyCode, minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * Dashboards read rollups that a background roll (every second here) brings up to date with the
 * recorded events. Wait until the rollups count every recorded event (each demo event is one call),
 * so the page and the test read the same, final figures.
 */
async function settled(base, token) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const data = await gql(base, token, `{ usageEvents(first: 1) { totalCount } usageTotals { lifetime { requests } } }`);
    if (data.usageEvents.totalCount > 0 && data.usageTotals.lifetime.requests === data.usageEvents.totalCount) return;
    if (Date.now() > deadline) throw new Error(`the rollups did not catch up: ${JSON.stringify(data)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** An amount as the Invoices page states it: the API's decimal string and the currency code. */
const stated = (m) => `${m.amount} ${m.currencyCode}`;
/** A positive decimal as written by the API or shown on a page ("CA$1,234.5", "662,240"), exactly, in billionths. */
const exact = (text) => {
  const [whole, fraction = ''] = String(text).replace(/[^0-9.]/g, '').split('.');
  return BigInt(whole + fraction.padEnd(9, '0'));
};
/** The fraction digits of a decimal string. */
const decimals = (amount) => (amount.split('.')[1] ?? '').replace(/0+$/, '').length;

/** At a phone's 390x844 the page body does not scroll sideways (wide tables scroll inside their own box). */
async function fitsPhone(page, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.waitForFunction(() => window.innerWidth === 390);
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth }));
    await shot(page, name);
    assert.ok(scrollWidth <= innerWidth, `the page is ${scrollWidth} px wide at ${innerWidth} px`);
  } finally {
    await page.setViewportSize({ width: 1280, height: 900 });
  }
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

// ---------------------------------------------------------------- the tests
const results = [];
const openPages = [];
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - t0 });
    log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (error) {
    results.push({ name, ok: false, ms: Date.now() - t0, error });
    for (const [i, p] of openPages.entries()) await p.screenshot({ path: join(shots, `FAILED-${i}.png`), fullPage: true }).catch(() => {});
    log(`FAIL ${name}: ${error?.stack ?? error}`);
    throw error;
  }
}

async function shot(page, name) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

async function main() {
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  if (!existsSync(join(root, 'dist', 'client', 'index.html'))) throw new Error('dist/ is missing: run `npm run build` first');

  log(`starting ${jar}`);
  const server = await startServer();
  log(`server ready at ${server.base}`);
  process.env.METERLINE_API = server.base;
  const { preview } = await import('vite');
  const web = await preview({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', preview: { host: '127.0.0.1', port: await freePort(), strictPort: true } });
  const app = web.resolvedUrls.local[0].replace(/\/$/, '');
  log(`apps served at ${app}`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'meterline-ui-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: browserPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: LOCALE,
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(20_000);
  try {
    await run(server.base, app, context);
  } finally {
    await context.close().catch(() => {});
    await web.close().catch(() => {});
    await server.stop().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function run(api, app, context) {
  const userToken = await login(api, ORG_USER);
  const page = await context.newPage();
  openPages.push(page);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e));

  // graphql-ws: note when the page's subscription socket is acknowledged, so the live alert test
  // records usage only once the page listens.
  let wsAcked = false;
  page.on('websocket', (ws) => {
    if (!ws.url().endsWith('/graphql-ws')) return;
    ws.on('framereceived', (frame) => {
      if (String(frame.payload).includes('"connection_ack"')) wsAcked = true;
    });
  });

  await step('sign-in page refuses a wrong password', async () => {
    await page.goto(`${app}/client/`);
    await shot(page, 'client-00-sign-in');
    await page.fill('input[name=email]', ORG_USER.email);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
  });

  await step('client dashboard shows the numbers the API returns', async () => {
    await settled(api, userToken);
    await page.fill('input[name=password]', ORG_USER.password);
    await page.click('button[type=submit]');
    await page.getByTestId('month-tokens').waitFor();
    const data = await gql(api, userToken, `{
      usageTotals { thisMonth { tokens requests cost { amount currencyCode } originalCost { amount currencyCode } } thisWeek { tokens } }
      balance { creditsRemaining { amount currencyCode } planTokensRemaining }
      usageBreakdown(by: ACCOUNT_ID, first: 10, orderBy: TOKENS, range: { preset: CURRENT_MONTH }) { groups { key totals { tokens } } }
    }`);
    assert.equal(await page.getByTestId('month-tokens').innerText(), num(data.usageTotals.thisMonth.tokens));
    assert.equal(await page.getByTestId('month-requests').innerText(), num(data.usageTotals.thisMonth.requests));
    assert.equal(await page.getByTestId('week-tokens').innerText(), num(data.usageTotals.thisWeek.tokens));
    assert.equal(await page.getByTestId('credits-value').innerText(), money(data.balance.creditsRemaining, 2));
    assert.equal(await page.getByTestId('plan-tokens-value').innerText(), num(data.balance.planTokensRemaining));
    const costText = await page.getByTestId('month-cost-value').innerText();
    // One amount in the billing currency, the currencies the usage was priced in as detail: "CA$25.10 (from $14.01 + €4.35)".
    const { cost, originalCost } = data.usageTotals.thisMonth;
    const originals = originalCost.filter((m) => Number(m.amount) !== 0);
    assert.ok(Number(cost.amount) > 0 && originals.length > 0, JSON.stringify(data.usageTotals));
    const detail = originals.length === 1 && originals[0].currencyCode === cost.currencyCode ? '' : ` (from ${originals.map((m) => money(m, 2)).join(' + ')})`;
    assert.equal(costText, `${money(cost, 2)}${detail}`, 'the billing-currency figure, with the priced currencies as detail');
    assert.ok(data.usageBreakdown.groups.length > 0, 'the demo has Account ID activity');
    const rows = await page.getByTestId('account-id-metrics').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)));
    assert.deepEqual(rows, data.usageBreakdown.groups.map((g) => [g.key, num(g.totals.tokens)]), 'Account IDs by tokens, as the API ranks them');
    await shot(page, 'client-01-dashboard');
  });

  await step('balance page: balance, charts, transactions and the CSV download', async () => {
    await page.click('nav >> text=Balance');
    await page.getByTestId('balance-value').waitFor();
    const data = await gql(api, userToken, `{ viewer { timeZone } balance { current { amount currencyCode } } transactions(first: 25) { totalCount nodes { createdAt usageDay } } }`);
    assert.equal(await page.getByTestId('balance-value').innerText(), money(data.balance.current, 6));
    const services = await gql(api, userToken, `{ usageBreakdown(by: PROVIDER, first: 20, range: { preset: CURRENT_MONTH }) { groups { key } } }`);
    assert.deepEqual(await page.getByTestId('spend-by-service').locator('tbody tr td:first-child').allInnerTexts(), services.usageBreakdown.groups.map((g) => g.key));
    await page.getByTestId('daily-chart').locator('canvas').waitFor();
    await page.getByTestId('monthly-chart').locator('canvas').waitFor();
    const table = page.getByTestId('transactions');
    await table.getByText(`${data.transactions.totalCount} rows`).waitFor();
    assert.equal(await table.locator('tbody tr').count(), Math.min(25, data.transactions.totalCount));
    // Times show in the signed-in user's zone (America/Toronto for the demo), not the browser's (UTC here); a usage entry,
    // one day's usage like a statement line, shows its day.
    const shown = await table.locator('tbody tr td').first().innerText();
    const newest = data.transactions.nodes[0];
    const expected = newest.usageDay
      ? new Date(`${newest.usageDay}T00:00:00Z`).toLocaleDateString(LOCALE, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
      : new Date(newest.createdAt).toLocaleString(LOCALE, { timeZone: data.viewer.timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    assert.equal(shown.replace(/\s+/g, ' '), expected.replace(/\s+/g, ' '));
    assert.notEqual(data.viewer.timeZone, 'UTC');
    await shot(page, 'client-02-balance');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download history (CSV)')]);
    assert.match(download.suggestedFilename(), /^meterline-transactions-northwind-\d{8}-\d{6}\.csv$/);
    const file = join(target, download.suggestedFilename());
    await download.saveAs(file);
    const rows = parseCsv(readFileSync(file, 'utf8')).filter((r) => r.length > 1 || r[0] !== '');
    assert.deepEqual(rows[0], ['date', 'type', 'account', 'service', 'amount', 'currency', 'tokens', 'images', 'description']);
    assert.equal(rows.length - 1, data.transactions.totalCount, 'one CSV row per transaction');
  });

  await step('balance page: Purchase Credits checks the amount first, then shows why nothing can be bought', async () => {
    const panel = page.getByTestId('purchase-credits');
    await panel.locator('input[name=creditAmount]').waitFor();
    const { billing } = await gql(api, userToken, `{ billing { creditPurchaseMaximum { amount currencyCode } } }`);
    const maximum = billing.creditPurchaseMaximum;
    assert.equal(maximum.currencyCode, 'CAD');
    const before = await gql(api, userToken, `{ transactions(first: 1) { totalCount } balance { current { amount } } }`);
    const sent = [];
    const onRequest = (r) => { if (r.url().endsWith('/graphql') && (r.postData() ?? '').includes('creditsCheckoutCreate')) sent.push(r.postData()); };
    page.on('request', onRequest);
    const action = panel.getByTestId('purchase-credits-action');
    // Refused in the page, before any request: zero, negative, above the maximum, too many decimals, not a number.
    for (const [input, expected] of [
      ['0', 'Enter an amount above zero.'],
      ['-5', 'Enter an amount in CAD, such as 25.00.'],
      [String(Number(maximum.amount) + 0.01), `At most ${money(maximum, 2)} per purchase.`],
      ['12.345', 'CAD amounts have at most 2 decimals.'],
      ['1e3', 'Enter an amount in CAD, such as 25.00.'],
    ]) {
      await panel.locator('input[name=creditAmount]').fill(input);
      await action.getByRole('button', { name: 'Purchase credits' }).click();
      assert.equal(await action.getByRole('alert').innerText(), expected, `amount ${input}`);
    }
    assert.deepEqual(sent, [], 'no request for an amount the page refused');
    // A valid amount reaches the server, which has no Stripe key in the demo: its user error, in its words.
    await panel.locator('input[name=creditAmount]').fill('25.00');
    await action.getByRole('button', { name: 'Purchase credits' }).click();
    const alert = action.locator('[role=alert][data-code=BILLING_NOT_CONFIGURED]');
    await alert.waitFor();
    page.off('request', onRequest);
    assert.equal(sent.length, 1);
    const own = await gql(api, userToken, `mutation { creditsCheckoutCreate(input: { amount: "25.00" }) { url userErrors { code message } } }`);
    assert.equal(own.creditsCheckoutCreate.url, null);
    assert.deepEqual(own.creditsCheckoutCreate.userErrors.map((e) => e.code), ['BILLING_NOT_CONFIGURED']);
    assert.equal(await alert.innerText(), own.creditsCheckoutCreate.userErrors[0].message);
    const after = await gql(api, userToken, `{ transactions(first: 1) { totalCount } balance { current { amount } } }`);
    assert.deepEqual(after, before, 'nothing bought, nothing stored');
    await panel.scrollIntoViewIfNeeded();
    await shot(page, 'client-02b-balance-purchase-credits');
  });

  await step('billing page: Northwind on Growth in CAD, and a top-up click explains that payments are not set up', async () => {
    await page.click('nav >> text=Billing');
    await page.getByTestId('billing-plan-name').waitFor();
    const { billing: b } = await gql(api, userToken, `{ billing {
      configured plan { name } monthlyPrice { amount currencyCode } tokensUsedThisMonth tokensRemaining tokensResetDate nextBillingDate
      subscriptionStatus cancelAtPeriodEnd paymentMethod { brand last4 } topUpTokensAvailable topUpPacks { id tokens } planOptions { name }
      actions { startSubscription changePlan buyTopUp buyCredits openPortal manageSubscription }
    } }`);
    // What the demo promises (DemoData): Growth in CAD, an active subscription, a Visa ending 4242, no Stripe key.
    assert.equal(b.plan.name, 'Growth');
    assert.equal(b.monthlyPrice.currencyCode, 'CAD');
    assert.equal(b.subscriptionStatus, 'ACTIVE');
    assert.deepEqual(b.paymentMethod, { brand: 'visa', last4: '4242' });
    assert.equal(b.configured, false);
    assert.ok(Object.values(b.actions).every((allowed) => allowed === false), 'without Stripe the API allows no action');
    const date = (d) => new Date(`${d}T00:00:00Z`).toLocaleDateString(LOCALE, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
    assert.equal(await page.getByTestId('billing-plan-name').innerText(), 'Growth');
    assert.equal(await page.getByTestId('billing-plan-price').innerText(), money(b.monthlyPrice, 2));
    assert.equal(await page.getByTestId('billing-tokens-used').innerText(), num(b.tokensUsedThisMonth));
    assert.equal(await page.getByTestId('billing-tokens-remaining').innerText(), num(b.tokensRemaining));
    assert.equal(await page.getByTestId('billing-next-date').innerText(), date(b.nextBillingDate));
    assert.equal(await page.getByTestId('billing-status').innerText(), 'Active');
    assert.equal(await page.getByTestId('billing-card').innerText(), 'Visa •••• 4242');
    assert.equal(await page.getByTestId('top-up-balance').innerText(), num(b.topUpTokensAvailable));
    assert.deepEqual(await page.getByTestId('plan-options').locator('tbody tr .plan-name').allInnerTexts(), b.planOptions.map((p) => p.name));
    await page.getByTestId('billing-not-configured').waitFor();
    // An active subscription: manage and cancel are offered, starting another is not.
    await page.getByTestId('manage-subscription').waitFor();
    await page.getByTestId('cancel-subscription').waitFor();
    assert.deepEqual(await page.getByTestId('token-top-ups').getByRole('button').allInnerTexts(), ['Buy 1,000,000 Tokens (CA$20.00)', 'Buy 3,000,000 Tokens (CA$54.00)']);

    const pack = b.topUpPacks[0];
    const before = await gql(api, userToken, `{ transactions(first: 1) { totalCount } billing { topUpTokensAvailable } }`);
    const navigations = [];
    const onNavigation = (f) => { if (f === page.mainFrame()) navigations.push(f.url()); };
    page.on('framenavigated', onNavigation);
    const topUp = page.getByTestId(`top-up-${pack.tokens}`);
    await topUp.getByRole('button').click();
    const alert = topUp.locator('[role=alert][data-code=BILLING_NOT_CONFIGURED]');
    await alert.waitFor();
    page.off('framenavigated', onNavigation);
    assert.deepEqual(navigations, [], 'the browser stays on the page');
    const own = await gql(api, userToken, `mutation($packId: ID!) { topUpCheckoutCreate(input: { packId: $packId }) { url userErrors { code message } } }`, { packId: pack.id });
    assert.equal(own.topUpCheckoutCreate.url, null);
    assert.equal(await alert.innerText(), own.topUpCheckoutCreate.userErrors[0].message);
    assert.match(await alert.innerText(), /Payments are not set up/);
    const after = await gql(api, userToken, `{ transactions(first: 1) { totalCount } billing { topUpTokensAvailable } }`);
    assert.deepEqual(after, before, 'nothing bought, nothing stored');
    await page.setViewportSize({ width: 1440, height: 900 });
    await shot(page, 'client-02c-billing-1440x900');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'client-02d-billing-390x844');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await step('billing and balance pages for a member: the same figures, read-only, and the API refuses a checkout', async () => {
    const member = await context.newPage();
    openPages.push(member);
    member.on('pageerror', (e) => pageErrors.push(e));
    await member.goto(`${app}/client/#/billing`);
    await member.fill('input[name=email]', ORG_MEMBER.email);
    await member.fill('input[name=password]', ORG_MEMBER.password);
    await member.click('button[type=submit]');
    await member.getByTestId('billing-read-only').waitFor();
    assert.equal(await member.getByTestId('billing-plan-name').innerText(), 'Growth');
    assert.equal(await member.getByTestId('billing-card').innerText(), 'Visa •••• 4242');
    assert.deepEqual(await member.locator('main button').allInnerTexts(), ['Refresh data'], 'no Stripe button for a member');
    await shot(member, 'client-02e-billing-member');
    await member.click('nav >> text=Balance');
    await member.getByTestId('purchase-credits').getByText("Only the organization's admins can buy credits and top-ups.").waitFor();
    assert.equal(await member.locator('input[name=creditAmount]').count(), 0);
    const memberToken = await login(api, ORG_MEMBER);
    const { billing } = await gql(api, userToken, `{ billing { topUpPacks { id } topUpTokensAvailable } }`);
    const r = await fetch(`${api}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${memberToken}` },
      body: JSON.stringify({ query: 'mutation($packId: ID!) { topUpCheckoutCreate(input: { packId: $packId }) { url } }', variables: { packId: billing.topUpPacks[0].id } }),
    });
    const body = await r.json();
    assert.equal(body.errors?.[0]?.extensions?.code, 'FORBIDDEN', JSON.stringify(body));
    const after = await gql(api, userToken, `{ billing { topUpTokensAvailable } }`);
    assert.equal(after.billing.topUpTokensAvailable, billing.topUpTokensAvailable);
    await member.close();
    openPages.splice(openPages.indexOf(member), 1);
  });

  await step('Usage Controls: create an Account ID with a generated code, then suspend it', async () => {
    await page.click('nav >> text=Usage Controls');
    await page.getByTestId('account-id-form').waitFor();
    await page.click('text=Generate');
    const code = page.locator('input[name=code]');
    await page.waitForFunction(() => document.querySelector('input[name=code]')?.value?.length > 0);
    const generated = await code.inputValue();
    assert.match(generated, /^[A-Z0-9-]{4,}$/);
    await page.fill('input[name=label]', 'E2E bay');
    await page.fill('input[name=dailyTokenLimit]', '50000');
    await page.click('text=Create Account ID');
    await page.fill('input[name=search]', generated);
    await page.click('form.filters button:has-text("Search")');
    // The search (accountIds(search:)) narrows the table to the new Account ID alone.
    await page.waitForFunction((code) => {
      const rows = [...document.querySelectorAll('[data-testid=account-id-table] tbody tr')];
      return rows.length === 1 && rows[0].textContent.includes(code);
    }, generated);
    const row = page.locator('tr', { hasText: generated });
    await row.waitFor();
    assert.ok((await row.innerText()).includes('ACTIVE'));
    await shot(page, 'client-03-usage-controls');
    await row.getByRole('button', { name: 'Suspend' }).click();
    await row.getByText('SUSPENDED').waitFor();
    const check = await gql(api, userToken, `{ accountIds(status: SUSPENDED, first: 100) { nodes { code label dailyTokenLimit } } }`);
    assert.deepEqual(check.accountIds.nodes.find((n) => n.code === generated), { code: generated, label: 'E2E bay', dailyTokenLimit: 50000 });
  });

  const pages = [
    ['Budgets', '[data-testid=budget-card]', '[data-testid=budget-chart] canvas'],
    ['Usage history', '[data-testid=usage-table] tbody tr', '[data-testid=usage-filters]'],
    ['Insights', '[data-testid=model-distribution] tbody tr', '[data-testid=forecast]'],
    ['Business rules', '[data-testid=business-rules] textarea', '[data-testid=business-rules] button'],
    ['Profile', '[data-testid=profile-form] select[name=timeZone] option[value="UTC"]', '[data-testid=company-form]'],
  ];
  for (const [index, [nav, ...selectors]] of pages.entries()) {
    await step(`page ${nav} renders`, async () => {
      await page.click(`nav >> text=${nav}`);
      for (const selector of selectors) await page.locator(selector).first().waitFor({ state: 'attached' });
      await shot(page, `client-0${index + 4}-${nav.toLowerCase().replace(/\s+/g, '-')}`);
    });
  }

  await step('usage history: status filter and a note on a call', async () => {
    await page.click('nav >> text=Usage history');
    await page.locator('[data-testid=usage-table] tbody tr').first().waitFor();
    const errors = await gql(api, userToken, `{ usageEvents(status: ERROR, range: { preset: LAST_30_DAYS }, first: 1) { totalCount } }`);
    await page.selectOption('select[name=status]', 'ERROR');
    await page.click('[data-testid=usage-filters] button:has-text("Apply")');
    await page.getByText(`${errors.usageEvents.totalCount} rows`).waitFor();
    const statuses = await page.locator('[data-testid=usage-table] tbody tr td:nth-child(9)').allInnerTexts();
    assert.ok(statuses.length > 0 && statuses.every((t) => t !== 'ok'), statuses.join(','));
    await page.click('[data-testid=usage-filters] button:has-text("Reset")');
    // Relay paging: the second page starts where the API's second page starts.
    const pages = await gql(api, userToken, `{ usageEvents(first: 25, range: { preset: LAST_30_DAYS }) { totalCount pageInfo { endCursor } } }`);
    const second = await gql(api, userToken, `query($after: String) { usageEvents(first: 25, after: $after, range: { preset: LAST_30_DAYS }) { nodes { timestamp } } }`, { after: pages.usageEvents.pageInfo.endCursor });
    await page.getByText(`Page 1 of ${Math.ceil(pages.usageEvents.totalCount / 25)}`).waitFor();
    await page.click('main button:has-text("Next")');
    await page.getByText(`Page 2 of ${Math.ceil(pages.usageEvents.totalCount / 25)}`).waitFor();
    await page.waitForFunction((expected) => document.querySelector('[data-testid=usage-table] tbody tr td')?.textContent === expected,
      new Date(second.usageEvents.nodes[0].timestamp).toLocaleString(LOCALE, { timeZone: 'America/Toronto', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));
    await page.click('main button:has-text("Previous")');
    await page.getByText(`Page 1 of ${Math.ceil(pages.usageEvents.totalCount / 25)}`).waitFor();
    await page.locator('[data-testid=usage-table] tbody tr').first().locator('button.edit-note').click();
    await page.fill('input[aria-label=Note]', 'checked with the customer');
    await page.click('[data-testid=usage-table] button:has-text("Save")');
    await page.locator('[data-testid=usage-table] tbody tr').first().locator('button.edit-note[title="checked with the customer"]').waitFor();
    const noted = await gql(api, userToken, `{ usageEvents(first: 1, range: { preset: LAST_30_DAYS }) { nodes { note { text authorEmail } } } }`);
    assert.deepEqual(noted.usageEvents.nodes[0].note, { text: 'checked with the customer', authorEmail: ORG_USER.email });
    await shot(page, 'client-05b-usage-history-note');
  });

  await step('usage reports: Total Reports, the latest six months, filters, a report opened and its PDF', async () => {
    await page.click('nav >> text=Usage Reports');
    await page.locator('[data-testid=reports-table] tbody tr').first().waitFor();
    const data = await gql(api, userToken, `{ usageReports { totalCount nodes { period tokens status } } }`);
    assert.equal(await page.getByTestId('total-reports').innerText(), String(data.usageReports.totalCount));
    assert.equal(await page.locator('[data-testid=reports-table] tbody tr').count(), data.usageReports.nodes.length);
    assert.ok(data.usageReports.nodes.length <= 6);
    assert.equal(await page.locator('[data-testid=reports-table] tbody tr td:nth-child(2)').first().innerText(), num(data.usageReports.nodes[0].tokens));
    // A month filter narrows the list; Total Reports stays.
    const month = Number(data.usageReports.nodes[0].period.slice(5));
    await page.selectOption('[data-testid=report-filters] select[name=month]', String(month));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=reports-table] tbody tr').length >= 1);
    assert.equal(await page.getByTestId('total-reports').innerText(), String(data.usageReports.totalCount));
    await page.click('[data-testid=report-filters] button:has-text("Clear")');
    await page.locator('[data-testid=reports-table] tbody tr').first().locator('button:has-text("Open")').click();
    await page.getByTestId('report-detail').waitFor();
    await shot(page, 'client-05c-usage-reports');
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=report-detail] button:has-text("PDF")')]);
    assert.match(pdf.suggestedFilename(), /^meterline-usage-report-northwind-\d{4}-\d{2}-\d{8}-\d{6}\.pdf$/);
  });

  await step('usage export: the CSV and JSON buttons download every event of the list, a row as the API states it', async () => {
    await page.click('nav >> text=Usage history');
    await page.locator('[data-testid=usage-table] tbody tr').first().waitFor();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    assert.match(csv.suggestedFilename(), /^meterline-usage-northwind-\d{8}-\d{6}\.csv$/);
    const file = join(target, csv.suggestedFilename());
    await csv.saveAs(file);
    const rows = parseCsv(readFileSync(file, 'utf8')).filter((r) => r.length > 1 || r[0] !== '');
    const header = rows[0];
    assert.deepEqual(header.slice(0, 12), ['event_id', 'occurred_at', 'received_at', 'provider', 'model', 'status', 'requests', 'input_tokens',
      'output_tokens', 'tokens', 'cost', 'currency']);
    const listed = await gql(api, userToken, `{ usageEvents(first: 1, range: { preset: LAST_30_DAYS }) { totalCount nodes {
      eventId timestamp provider model inputTokens outputTokens totalTokens cost { amount currencyCode } dimensions { team project } } } }`);
    assert.equal(rows.length - 1, listed.usageEvents.totalCount, 'one CSV row per event of the list (30 days)');
    // The newest event of the list, found by its id, holds what the API says of it.
    const event = listed.usageEvents.nodes[0];
    const record = (row) => Object.fromEntries(header.map((name, i) => [name, row[i]]));
    const found = rows.slice(1).map(record).filter((r) => r.event_id === event.eventId);
    assert.equal(found.length, 1, `one row for ${event.eventId}`);
    const row = found[0];
    assert.deepEqual(
      [row.provider, row.model, Number(row.input_tokens), Number(row.output_tokens), Number(row.tokens), row.currency, row.team, row.project],
      [event.provider, event.model, event.inputTokens, event.outputTokens, event.totalTokens, event.cost.currencyCode, event.dimensions.team ?? '', event.dimensions.project ?? '']);
    assert.equal(Number(row.cost), Number(event.cost.amount));
    // Timestamps carry the organization's offset: the same instant as the API's.
    assert.match(row.occurred_at, /[+-]\d{2}:\d{2}$/);
    assert.equal(new Date(row.occurred_at).getTime(), new Date(event.timestamp).getTime());
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    assert.match(json.suggestedFilename(), /^meterline-usage-northwind-\d{8}-\d{6}\.json$/);
    const jsonFile = join(target, json.suggestedFilename());
    await json.saveAs(jsonFile);
    const objects = JSON.parse(readFileSync(jsonFile, 'utf8'));
    assert.equal(objects.length, rows.length - 1, 'the JSON holds the rows of the CSV');
    const same = objects.find((o) => o.event_id === event.eventId);
    assert.deepEqual(Object.keys(same), header);
    assert.deepEqual(Object.fromEntries(header.map((name) => [name, same[name] === null ? '' : String(same[name])])), row, 'the JSON object equals the CSV row');
  });

  await step('invoices: the closed month with its lines, tax, total and payment as the API states them; the PDF, refused to another organization', async () => {
    await page.click('nav >> text=Invoices');
    await page.getByTestId('invoice-row').first().waitFor();
    const list = await gql(api, userToken, `{ invoices(first: 12) { nodes { id number status pdfUrl total { amount currencyCode } amountDue { amount currencyCode } } } }`);
    // DemoData closes Northwind's previous month through the invoice service and records its payment.
    const issued = list.invoices.nodes.find((n) => n.number !== null && n.status === 'PAID');
    if (!issued && list.invoices.nodes.some((n) => n.status === 'DRAFT')) {
      // In the first hour of a month (the close's grace) the demo's previous month is still a draft: nothing issued to check yet.
      console.log('    the previous month is in its close grace period: its invoice is a DRAFT, the issued-invoice checks wait for the close');
      return;
    }
    assert.ok(issued, `a paid invoice in the demo: ${JSON.stringify(list.invoices.nodes)}`);
    const row = page.getByTestId('invoice-row').filter({ hasText: issued.number });
    assert.equal(await row.getByTestId('invoice-row-status').innerText(), issued.status);
    assert.equal(await row.getByTestId('invoice-row-total').innerText(), stated(issued.total));
    assert.equal(await row.getByTestId('invoice-row-due').innerText(), stated(issued.amountDue));
    await row.getByRole('button', { name: issued.number }).click();
    const detail = page.getByTestId('invoice-detail');
    await detail.getByTestId('invoice-total').waitFor();
    const { invoice } = await gql(api, userToken, `query($id: ID!) { invoice(id: $id) {
      taxName taxPercent lines { description amount { amount currencyCode } } subtotal { amount currencyCode } tax { amount currencyCode }
      total { amount currencyCode } amountPaid { amount currencyCode } amountCredited { amount currencyCode } amountDue { amount currencyCode }
      payments { reference amount { amount currencyCode } }
    } }`, { id: issued.id });
    assert.ok(invoice.lines.length > 0 && Number(invoice.tax.amount) > 0 && invoice.payments.length > 0, JSON.stringify(invoice));
    const lines = await detail.getByTestId('invoice-line').evaluateAll((trs) => trs.map((tr) => [tr.cells[0].textContent, tr.querySelector('[data-testid=invoice-line-amount]').textContent]));
    assert.deepEqual(lines, invoice.lines.map((l) => [l.description, stated(l.amount)]));
    for (const [testId, value] of [['invoice-subtotal', invoice.subtotal], ['invoice-tax', invoice.tax], ['invoice-total', invoice.total],
      ['invoice-paid', invoice.amountPaid], ['invoice-credited', invoice.amountCredited], ['invoice-due', invoice.amountDue]]) {
      assert.equal(await detail.getByTestId(testId).innerText(), stated(value), testId);
    }
    assert.equal(await detail.getByTestId('invoice-tax-label').innerText(), `Tax ${invoice.taxName} ${invoice.taxPercent} %`);
    // Each line rounded once to the cent: the lines add up to the subtotal, subtotal + tax = total, exactly.
    assert.equal(invoice.lines.reduce((sum, l) => sum + exact(l.amount.amount), 0n), exact(invoice.subtotal.amount));
    assert.equal(exact(invoice.subtotal.amount) + exact(invoice.tax.amount), exact(invoice.total.amount));
    const payments = await detail.getByTestId('invoice-payment').allInnerTexts();
    assert.equal(payments.length, invoice.payments.length);
    for (const [i, p] of invoice.payments.entries()) assert.ok(payments[i].includes(p.reference) && payments[i].endsWith(stated(p.amount)), payments[i]);
    await shot(page, 'client-05d-invoice');

    const [response, download] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(issued.pdfUrl)),
      page.waitForEvent('download'),
      row.getByTestId('invoice-pdf').click(),
    ]);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^application\/pdf/);
    assert.match(download.suggestedFilename(), new RegExp(`^meterline-invoice-${issued.number}-\\d{8}-\\d{6}\\.pdf$`));
    const pdfFile = join(target, download.suggestedFilename());
    await download.saveAs(pdfFile);
    const bytes = readFileSync(pdfFile);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
    // The same link with another organization's token, through the same proxy as the page: 404 as for no such invoice; none: 401.
    const other = await login(api, { email: 'admin@kolkata-calls.demo', password: ORG_USER.password });
    for (const token of [other, undefined]) {
      const refused = await fetch(`${app}${issued.pdfUrl}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      const body = Buffer.from(await refused.arrayBuffer());
      assert.equal(refused.status, token ? 404 : 401, `with ${token ? "another organization's" : 'no'} token`);
      assert.notEqual(body.subarray(0, 5).toString('latin1'), '%PDF-');
    }
    await fitsPhone(page, 'client-05e-invoices-390x844');
  });

  await step('cost centers: a 60/40 split adds up exactly to the usage total; a split of 90 % is refused and stores nothing', async () => {
    await page.click('nav >> text=Cost centers');
    const manage = page.getByTestId('allocation-manage');
    await manage.waitFor();
    await page.getByTestId('allocation-total').waitFor();
    const range = { from: await page.inputValue('input[name=from]'), to: await page.inputValue('input[name=to]') };
    const { usageBreakdown } = await gql(api, userToken, `query($range: DateRangeInput) { usageBreakdown(by: TEAM, first: 20, orderBy: TOKENS, range: $range) { groups { key totals { tokens } } } }`, { range });
    const teams = usageBreakdown.groups.filter((g) => g.key !== '' && Number(g.totals.tokens) > 0);
    assert.ok(teams.length >= 2, JSON.stringify(usageBreakdown));
    for (const [code, name] of [['CLIN', 'Clinical'], ['FIN', 'Finance']]) {
      await manage.locator('input[name=code]').fill(code);
      await manage.locator('input[name=name]').fill(name);
      await manage.getByRole('button', { name: 'Create' }).click();
      await page.waitForFunction(() => document.querySelector('[data-testid=allocation-manage] input[name=code]').value === '');
    }
    const centers = await gql(api, userToken, `{ costCenters(first: 100) { nodes { code name } } }`);
    assert.deepEqual(centers.costCenters.nodes.map((c) => [c.code, c.name]), [['CLIN', 'Clinical'], ['FIN', 'Finance']]);
    const shared = teams[0];
    await manage.locator('select[name=dimension]').selectOption('TEAM');
    await manage.locator('input[name=value]').fill(shared.key);
    await manage.locator('input[name=shares]').fill('CLIN 60, FIN 40');
    await manage.getByRole('button', { name: 'Save rule' }).click();
    await page.getByTestId('allocation-rule').filter({ hasText: shared.key }).waitFor();
    const { allocationRules } = await gql(api, userToken, `{ allocationRules(first: 100) { nodes { dimension value splits { costCenter { code } percent } } } }`);
    assert.equal(allocationRules.nodes.length, 1);
    const rule = allocationRules.nodes[0];
    assert.deepEqual([rule.dimension, rule.value, rule.splits.map((x) => [x.costCenter.code, Number(x.percent)])], ['TEAM', shared.key, [['CLIN', 60], ['FIN', 40]]]);
    assert.equal(await page.getByTestId('allocation-rule').filter({ hasText: shared.key }).locator('td').nth(2).innerText(),
      rule.splits.map((x) => `${x.costCenter.code} ${x.percent}%`).join(', '));
    // The rules and the report are one query: with the rule listed, the report shown is the one after it.

    // The page's figures are the API's, and its columns add up exactly to its total, which is the usage total of the days.
    const { costAllocation: report, usageSummary } = await gql(api, userToken, `query($range: DateRangeInput) {
      costAllocation(range: $range) {
        costCenters { costCenter { code } cost { amount currencyCode } tokens requests }
        unallocated { cost { amount currencyCode } tokens requests } total { cost { amount currencyCode } tokens requests }
      }
      usageSummary(range: $range) { tokens requests cost { amount currencyCode } }
    }`, { range });
    const shown = await page.getByTestId('cost-allocation').locator('[data-testid=allocation-row], [data-testid=allocation-unallocated], [data-testid=allocation-total]')
      .evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    const lines = [...report.costCenters, report.unallocated, report.total];
    assert.equal(shown.length, lines.length);
    for (const [i, line] of lines.entries()) {
      assert.equal(shown[i][2].split(' (from ')[0], money(line.cost, Math.max(2, Math.min(6, decimals(line.cost.amount)))), `cost of line ${i}`);
      assert.deepEqual([shown[i][3], shown[i][4]], [num(line.tokens), num(line.requests)], `line ${i}`);
      if (i < report.costCenters.length) assert.equal(shown[i][0], line.costCenter.code);
    }
    const sum = (values) => values.reduce((a, b) => a + b, 0n);
    const parts = shown.slice(0, -1);
    const total = shown[shown.length - 1];
    assert.equal(sum(parts.map((cells) => exact(cells[3]))), exact(total[3]), 'tokens add up');
    assert.equal(sum(parts.map((cells) => exact(cells[4]))), exact(total[4]), 'requests add up');
    const figure = (text) => exact(text.split(' (from ')[0]);
    assert.equal(sum(parts.map((cells) => figure(cells[2]))), figure(total[2]), 'cost adds up');
    // Allocation counts are exact decimals (shares of tokens), as strings; the summary's are whole numbers.
    assert.deepEqual([Number(report.total.tokens), Number(report.total.requests)], [usageSummary.tokens, usageSummary.requests], 'the usage total of the days');
    assert.equal(report.total.cost.currencyCode, usageSummary.cost.currencyCode);
    assert.ok(Math.abs(Number(report.total.cost.amount) - Number(usageSummary.cost.amount)) < 0.005, `${report.total.cost.amount} vs ${usageSummary.cost.amount}`);
    // The shared team's tokens go 60/40 to the two cost centers, exactly (largest remainder).
    const byCode = Object.fromEntries(report.costCenters.map((l) => [l.costCenter.code, l]));
    assert.equal(exact(byCode.CLIN.tokens) + exact(byCode.FIN.tokens), exact(shared.totals.tokens), JSON.stringify([byCode, shared]));
    assert.ok(Math.abs(Number(byCode.CLIN.tokens) - Number(shared.totals.tokens) * 0.6) <= 1, JSON.stringify(byCode));
    await shot(page, 'client-05f-cost-centers');

    // 60 + 30: the typed error on the page, in the API's words, and nothing stored.
    const before = await gql(api, userToken, `{ allocationRules(first: 100) { totalCount nodes { value splits { percent } } } }`);
    const refusedTeam = teams[1].key;
    await manage.locator('input[name=value]').fill(refusedTeam);
    await manage.locator('input[name=shares]').fill('CLIN 60, FIN 30');
    await manage.getByRole('button', { name: 'Save rule' }).click();
    const alert = page.getByTestId('allocation-rule-errors').getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('data-code'), 'SPLIT_TOTAL');
    const ids = await gql(api, userToken, `{ costCenters(first: 100) { nodes { id code } } }`);
    const idOf = (code) => ids.costCenters.nodes.find((c) => c.code === code).id;
    const own = await gql(api, userToken, `mutation($input: AllocationRuleSetInput!) { allocationRuleSet(input: $input) { allocationRule { id } userErrors { code field message } } }`,
      { input: { dimension: 'TEAM', value: refusedTeam, splits: [{ costCenterId: idOf('CLIN'), percent: '60' }, { costCenterId: idOf('FIN'), percent: '30' }] } });
    assert.equal(own.allocationRuleSet.allocationRule, null);
    assert.deepEqual(own.allocationRuleSet.userErrors.map((e) => e.code), ['SPLIT_TOTAL']);
    assert.equal(await alert.innerText(), own.allocationRuleSet.userErrors.map((e) => (e.field?.length ? `${e.field.join('.')}: ` : '') + e.message).join('; '));
    const after = await gql(api, userToken, `{ allocationRules(first: 100) { totalCount nodes { value splits { percent } } } }`);
    assert.deepEqual(after, before, 'nothing stored');
    assert.ok(!after.allocationRules.nodes.some((r) => r.value === refusedTeam));
    await fitsPhone(page, 'client-05g-cost-centers-390x844');
  });

  await step('business rules are saved; the profile time zone changes the dates shown', async () => {
    await page.click('nav >> text=Business rules');
    await page.getByText('Never saved.').waitFor();
    await page.fill('[data-testid=business-rules] textarea', 'Oil change: every 10,000 km\nBrakes: every 40,000 km');
    await page.click('text=Save Business Rules');
    await page.getByRole('status').filter({ hasText: /^Saved\.$/ }).waitFor();
    const rules = await gql(api, userToken, `{ businessRules { text updatedBy } }`);
    assert.deepEqual(rules.businessRules, { text: 'Oil change: every 10,000 km\nBrakes: every 40,000 km', updatedBy: ORG_USER.email });
    await page.click('nav >> text=Profile');
    await page.locator('select[name=timeZone] option[value="Asia/Kolkata"]').waitFor({ state: 'attached' });
    await page.selectOption('select[name=timeZone]', 'Asia/Kolkata');
    await page.click('text=Save Profile');
    await page.locator('header', { hasText: 'Asia/Kolkata' }).waitFor();
    const viewer = await gql(api, userToken, `{ viewer { timeZone } }`);
    assert.equal(viewer.viewer.timeZone, 'Asia/Kolkata');
    await shot(page, 'client-08b-profile-saved');
  });

  let alertSubject;
  await step('a threshold alert raised by recorded usage shows live, without a reload', async () => {
    await page.click('nav >> text=Dashboard');
    await page.getByTestId('month-tokens').waitFor();
    const deadline = Date.now() + 15_000;
    while (!wsAcked && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(wsAcked, 'the page opened its graphql-ws subscription');
    alertSubject = `E2E live ${randomBytes(3).toString('hex')}`;
    const made = await gql(api, userToken, `mutation($name: String!) {
      apiKeyCreate(input: { label: "e2e gateway" }) { secret userErrors { message } }
      budgetCreate(input: { name: $name, metric: TOKENS, period: DAY, limit: "1000", thresholds: [50] }) { budget { id } userErrors { message } }
    }`, { name: alertSubject });
    assert.ok(made.apiKeyCreate.secret && made.budgetCreate.budget, JSON.stringify(made));
    const navigations = [];
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
    const r = await fetch(`${api}/v1/usage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${made.apiKeyCreate.secret}` },
      body: JSON.stringify({ events: [{ id: `e2e-${randomBytes(6).toString('hex')}`, timestamp: new Date().toISOString(), provider: 'openai', model: 'gpt-4o', meters: { input_tokens: 700 } }] }),
    });
    assert.equal(r.status, 200, await r.text());
    await page.getByTestId('live-alert').filter({ hasText: alertSubject }).waitFor({ timeout: 15_000 });
    assert.deepEqual(navigations, [], 'no reload');
    await shot(page, 'client-10-live-alert');
  });

  await step('admin console: overview cards, acknowledge the alert, tabs', async () => {
    const adminToken = await login(api, ADMIN);
    const admin = await context.newPage();
    openPages.push(admin);
    admin.on('pageerror', (e) => pageErrors.push(e));
    // The call just recorded must be rolled up before the console loads, or its cards and the API's answer below differ by it.
    await settled(api, userToken);
    await admin.goto(`${app}/admin/`);
    await admin.fill('input[name=email]', ADMIN.email);
    await admin.fill('input[name=password]', ADMIN.password);
    await admin.click('button[type=submit]');
    await admin.getByTestId('overview').waitFor();
    const data = await gql(api, adminToken, `{ adminOverview { customers calls activeAlerts } }`);
    assert.equal(await admin.getByTestId('overview-customers').locator('.big').innerText(), num(data.adminOverview.customers));
    assert.equal(await admin.getByTestId('overview-calls').locator('.big').innerText(), num(data.adminOverview.calls));
    const alert = admin.getByTestId('admin-alert').filter({ hasText: alertSubject });
    await alert.waitFor();
    await shot(admin, 'admin-01-overview-alerts');
    await alert.getByRole('button', { name: 'Acknowledge' }).click();
    await alert.waitFor({ state: 'detached' });
    const acked = await gql(api, adminToken, `{ organizations(search: "Northwind", first: 1) { nodes { id } } }`);
    const orgId = acked.organizations.nodes[0].id;
    const check = await gql(api, adminToken, `query($org: ID!) { alerts(organizationId: $org, status: ACKNOWLEDGED, first: 100) { nodes { subject acknowledgedBy { email } } } }`, { org: orgId });
    assert.equal(check.alerts.nodes.find((a) => a.subject === alertSubject)?.acknowledgedBy?.email, ADMIN.email);

    await admin.getByTestId('summary-card').first().waitFor();
    await shot(admin, 'admin-02-monthly-summaries');
    await admin.fill('input[name=search]', 'Northwind');
    await admin.click('button:has-text("Search")');
    await admin.getByTestId('summaries').getByText('1 rows').waitFor();
    assert.equal(await admin.getByTestId('summary-card').count(), 1);
    assert.ok((await admin.getByTestId('summary-card').innerText()).includes('Northwind'));

    await admin.click('button:has-text("Recent Activity")');
    await admin.getByTestId('recent-row').first().waitFor();
    await admin.selectOption('select[name=service]', 'smartflo');
    await admin.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid=recent-row] td:nth-child(3)')];
      return cells.length > 0 && cells.every((c) => c.textContent === 'smartflo');
    });
    await shot(admin, 'admin-03-recent-activity');

    await admin.click('button:has-text("Service Breakdown")');
    await admin.getByTestId('top-customer').first().waitFor();
    const top = await gql(api, adminToken, `{ topCustomers(first: 10) { customers { customer { name } } } }`);
    const names = await admin.getByTestId('top-customer').locator('td:nth-child(2)').allInnerTexts();
    assert.deepEqual(names, top.topCustomers.customers.map((c) => c.customer.name));
    await shot(admin, 'admin-04-service-breakdown');
    await admin.close();
  });

  await step('no uncaught errors in the pages', async () => {
    assert.deepEqual(pageErrors.map(String), []);
  });
}

main().then(
  () => {
    log(`${results.length} steps passed; screenshots in ${shots}`);
    process.exit(0);
  },
  (error) => {
    console.error(error);
    log(`${results.filter((r) => r.ok).length} of ${results.length} steps passed`);
    process.exit(1);
  },
);
