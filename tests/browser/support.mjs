// What the browser tests share: where the built site and the screenshots are, how Chromium is
// launched (Debian's /usr/bin/chromium, never a downloaded build), how pages of each kind are found
// (from the site's own indexes, so any brief works, not only ours), and how console errors and
// uncaught exceptions are collected so that a test can assert there were none.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const SITE_DIR = path.resolve(process.env.CASEFILE_SITE ?? 'target/site');
export const SCREENSHOT_DIR = path.resolve(process.env.CASEFILE_SCREENSHOTS ?? 'target/screenshots');
export const REPORT_DIR = path.resolve(process.env.CASEFILE_REPORTS ?? 'target/test-reports');
export const CHROMIUM = process.env.CASEFILE_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * Collects console errors and uncaught exceptions of every page opened in `context`.
 * With `missingPage`, the console line Chromium logs for a main document answered with 404 is
 * expected (that is the point of visiting the 404 page); a 404 of anything else (a stylesheet, a
 * script, an image) still counts as an error.
 */
export function collectErrors(context, { missingPage = false } = {}) {
  const errors = [];
  const watch = (page) => {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location()?.url ?? '';
      const text = message.text();
      if (missingPage && /status of 404/.test(text) && where === page.url()) return;
      // Chromium asks for /favicon.ico by itself, at the origin's root, whenever it gets round to
      // it: whether that lands inside a test is timing, so it is not held against the page.
      if (new URL(where || 'about:blank').pathname === '/favicon.ico') return;
      errors.push(`${page.url()}: console error: ${text}${where ? ` (${where})` : ''}`);
    });
    page.on('pageerror', (error) => errors.push(`${page.url()}: uncaught ${error.name}: ${error.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return errors;
}

export function assertNoErrors(assert, errors) {
  if (errors.length > 0) assert.fail(`console errors or uncaught exceptions:\n  ${errors.join('\n  ')}`);
}

/** Polls `check` (sync or async) until it returns a truthy value or `timeout` ms pass. */
export async function poll(check, { timeout = 5000, interval = 100 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** The first link in `<main>` of index `indexUrl` that points at a page in `folder`. */
async function firstLinkInto(page, indexUrl, basePath, folder) {
  const response = await page.goto(indexUrl);
  if (!response?.ok()) return null;
  const pattern = `^${basePath}${folder}/[^/]+/$`;
  return page.evaluate(
    ({ pattern }) => {
      const re = new RegExp(pattern);
      for (const a of document.querySelectorAll('main a[href]')) {
        const url = new URL(a.href, location.href);
        if (url.origin === location.origin && re.test(url.pathname)) return url.origin + url.pathname;
      }
      return null;
    },
    { pattern },
  );
}

/**
 * URLs of one page of every kind, found from the indexes (`/people/` → its first person, …).
 * A kind whose page cannot be found maps to null; the test that needs it fails and says so.
 */
export async function discoverPages(browser, server) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const base = server.url;
  const pages = {
    front: base,
    person: await firstLinkInto(page, `${base}people/`, server.basePath, 'people'),
    company: await firstLinkInto(page, `${base}companies/`, server.basePath, 'companies'),
    event: await firstLinkInto(page, `${base}events/`, server.basePath, 'events'),
    source: await firstLinkInto(page, `${base}sources/`, server.basePath, 'sources'),
    timeline: `${base}timeline/`,
    graph: `${base}graph/`,
    search: `${base}search/`,
    notFound: `${base}no-such-page-casefile-test/`,
  };
  await context.close();
  return pages;
}

export function requirePage(assert, pages, kind) {
  assert.ok(pages[kind], `no ${kind} page found: the site's index of that kind lists no page`);
  return pages[kind];
}
