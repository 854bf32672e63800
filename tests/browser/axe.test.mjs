// Accessibility: axe-core (the engine behind Lighthouse's accessibility audit) run on one page of
// every kind. Any violation of impact "serious" or "critical" fails; lesser ones are printed.
// axe-core 4.14 is injected explicitly (@axe-core/playwright 4.13 would bring its own 4.13).
// The number of rules run is written to target/test-reports/axe.json for scripts/test.sh.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { SITE_DIR, REPORT_DIR, launchBrowser, discoverPages, requirePage } from './support.mjs';
import { startServer } from './server.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_VERSION = require('axe-core/package.json').version;
const KINDS = ['front', 'person', 'company', 'event', 'source', 'timeline', 'graph', 'search'];
const BLOCKING = new Set(['serious', 'critical']);

let browser;
let server;
let pages;
let searchTerm = 'a';
const rulesRun = new Set();
const report = { axeVersion: AXE_VERSION, pages: [], rulesRun: 0 };

before(async () => {
  server = await startServer({ root: SITE_DIR });
  browser = await launchBrowser();
  pages = await discoverPages(browser, server);
  if (pages.person) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(pages.person);
    searchTerm = (await page.locator('h1').first().innerText()).trim() || searchTerm;
    await context.close();
  }
});

after(async () => {
  await browser?.close();
  await server?.close();
  report.rulesRun = rulesRun.size;
  mkdirSync(REPORT_DIR, { recursive: true });
  writeFileSync(path.join(REPORT_DIR, 'axe.json'), JSON.stringify(report, null, 2));
  console.log(`axe-core ${AXE_VERSION}: ${rulesRun.size} rules run on ${report.pages.length} pages`);
});

function describe(violation) {
  const where = violation.nodes
    .slice(0, 5)
    .map((node) => `      ${node.target.join(' ')}: ${node.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}`)
    .join('\n');
  const more = violation.nodes.length > 5 ? `\n      … and ${violation.nodes.length - 5} more` : '';
  return `  [${violation.impact}] ${violation.id}: ${violation.help} (${violation.helpUrl})\n${where}${more}`;
}

/**
 * On the search page, axe looks at the results too: a search for the title of the person page.
 * A missing search UI is the browser tests' failure to report, not this one's.
 */
async function showSearchResults(page) {
  const input = page.locator('.pagefind-ui__search-input').first();
  try {
    await input.waitFor({ state: 'visible', timeout: 5000 });
    await input.fill(searchTerm);
    await page.locator('.pagefind-ui__result-link').first().waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    console.log('search page: no Pagefind results to check (see the browser tests)');
  }
}

for (const kind of KINDS) {
  test(`axe finds no serious or critical violation on the ${kind} page`, { timeout: 90_000 }, async () => {
    const url = requirePage(assert, pages, kind);
    // AxeBuilder needs a page from a context it can open frames in, not browser.newPage().
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const response = await page.goto(url);
      assert.ok(response?.ok(), `${url} answered ${response?.status()}`);
      if (kind === 'search') await showSearchResults(page);
      const results = await new AxeBuilder({ page, axeSource: AXE_SOURCE }).analyze();
      for (const group of [results.passes, results.violations, results.incomplete, results.inapplicable]) {
        for (const rule of group) rulesRun.add(rule.id);
      }
      const blocking = results.violations.filter((v) => BLOCKING.has(v.impact));
      const minor = results.violations.filter((v) => !BLOCKING.has(v.impact));
      report.pages.push({ kind, url: new URL(url).pathname, blocking: blocking.length, minor: minor.map((v) => v.id) });
      if (minor.length > 0) {
        console.log(`${kind} (${new URL(url).pathname}): minor/moderate findings, not failing:\n${minor.map(describe).join('\n')}`);
      }
      if (blocking.length > 0) {
        assert.fail(`${blocking.length} serious or critical axe violations on ${url}:\n${blocking.map(describe).join('\n')}`);
      }
    } finally {
      await context.close();
    }
  });
}
