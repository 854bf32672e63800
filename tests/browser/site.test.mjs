// Browser tests of the built site, as a reader uses it: open each kind of page, follow a
// cross-link, click a citation and land on the highlighted passage, search, hover for a preview,
// read in dark mode, on a phone and on paper, use the keyboard, read without JavaScript, and host
// the site under a sub-path. Every visited page must log no console error and throw no exception.
// Screenshots of each page kind go to target/screenshots/ for a person to look at.
//
// Run: node --test tests/browser/site.test.mjs (the site must be built in target/site, or
// CASEFILE_SITE names another folder).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  SITE_DIR,
  launchBrowser,
  screenshotPath,
  collectErrors,
  assertNoErrors,
  poll,
  discoverPages,
  requirePage,
} from './support.mjs';
import { startServer } from './server.mjs';

let browser;
let server;
let pages;

before(async () => {
  server = await startServer({ root: SITE_DIR });
  browser = await launchBrowser();
  pages = await discoverPages(browser, server);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh browser context (cookies, cache, errors) for one test. */
async function open(options = {}, errorOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const errors = collectErrors(context, errorOptions);
  const page = await context.newPage();
  return { context, page, errors };
}

/** The quote's words, compared as the build compares them: case, spaces, quotes, dashes folded. */
function normalise(text) {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u201a\u201b\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

const PAGE_KINDS = [
  // [name in `pages`, expected body[data-kind], HTTP status, screenshot name]
  ['front', 'home', 200, 'front'],
  ['person', 'person', 200, 'person'],
  ['company', 'company', 200, 'company'],
  ['event', 'event', 200, 'event'],
  ['source', 'source', 200, 'source'],
  ['timeline', 'timeline', 200, 'timeline'],
  ['graph', 'graph', 200, 'graph'],
  ['search', 'search', 200, 'search'],
  ['notFound', 'error', 404, '404'],
];

for (const [name, kind, status, shot] of PAGE_KINDS) {
  test(`${name} page loads with the shared landmarks and no errors`, { timeout: 60_000 }, async () => {
    const url = requirePage(assert, pages, name);
    const { context, page, errors } = await open({}, { missingPage: status === 404 });
    try {
      const response = await page.goto(url);
      assert.equal(response?.status(), status, `${url} answered ${response?.status()}`);
      assert.equal(await page.getAttribute('body', 'data-kind'), kind, `body[data-kind] on ${url}`);
      for (const selector of ['a.skip-link[href="#main"]', 'header.site-header', 'nav.site-nav', 'main#main', 'footer.site-footer']) {
        assert.equal(await page.locator(selector).count(), 1, `${selector} on ${url}`);
      }
      assert.ok((await page.locator('h1').first().innerText()).trim().length > 0, `an <h1> on ${url}`);
      await page.screenshot({ path: screenshotPath(shot), fullPage: true });
      assertNoErrors(assert, errors);
    } finally {
      await context.close();
    }
  });
}

test('a wikilink leads to the page it names', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open();
  try {
    let link = null;
    for (const start of [pages.front, pages.person, pages.event, pages.company].filter(Boolean)) {
      await page.goto(start);
      const candidate = page.locator('main a.wikilink').first();
      if ((await candidate.count()) > 0) {
        link = candidate;
        break;
      }
    }
    assert.ok(link, 'no a.wikilink in <main> of the front, person, event or company page');
    const href = await link.evaluate((a) => a.href);
    const expectedKind = await link.getAttribute('data-kind');
    const label = (await link.innerText()).trim();
    await Promise.all([page.waitForURL(href.split('#')[0] + '**'), link.click()]);
    const target = new URL(href);
    assert.equal(new URL(page.url()).pathname, target.pathname, `clicking "${label}" lands on ${target.pathname}`);
    const kind = await page.getAttribute('body', 'data-kind');
    assert.notEqual(kind, 'error', `"${label}" leads to the 404 page`);
    if (expectedKind) assert.equal(kind, expectedKind, `the link's data-kind matches the page it opens`);
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('a citation opens the source at the highlighted quote', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open();
  try {
    let citation = null;
    for (const start of [pages.person, pages.event, pages.company, pages.front].filter(Boolean)) {
      await page.goto(start);
      const candidate = page.locator('main sup.citation a').first();
      if ((await candidate.count()) > 0) {
        citation = candidate;
        break;
      }
    }
    assert.ok(citation, 'no sup.citation a on the person, event, company or front page');
    const citingPage = page.url();
    const note = await citation.getAttribute('data-note');
    const href = await citation.evaluate((a) => a.href);
    assert.ok(new URL(href).hash.length > 1, `citation ${note} links to ${href}, with no #passage`);
    // The quote as the Sources list prints it, in <q>.
    const quoteLocator = page.locator(`#source-${note} q`).first();
    assert.equal(await quoteLocator.count(), 1, `#source-${note} q on ${citingPage}`);
    const quote = normalise(await quoteLocator.innerText());
    assert.ok(quote.length > 0, `the quote of source ${note} is empty`);

    await Promise.all([page.waitForURL(href.split('#')[0] + '**'), citation.click()]);
    assert.equal(await page.getAttribute('body', 'data-kind'), 'source', `citation ${note} opens a source page`);
    const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
    const target = page.locator(`[id="${id.replaceAll('"', '\\"')}"]`);
    assert.equal(await target.count(), 1, `exactly one element with id "${id}" on ${page.url()}`);
    assert.equal(await target.evaluate((el) => el.localName), 'mark', `#${id} is a <mark>`);
    const marked = normalise(await target.innerText());
    for (const piece of quote.split(/\.\.\.|\u2026/).map((p) => p.trim()).filter(Boolean)) {
      assert.ok(marked.includes(piece), `<mark id="${id}"> holds "${piece}"; it holds "${marked}"`);
    }
    const inView = await poll(() =>
      target.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return box.height > 0 && box.top >= 0 && box.top < window.innerHeight;
      }),
    );
    assert.ok(inView, `<mark id="${id}"> is scrolled into view`);
    await page.screenshot({ path: screenshotPath('source-at-citation') });
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('the search box finds a note and opens it', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open();
  try {
    const personUrl = requirePage(assert, pages, 'person');
    await page.goto(personUrl);
    const title = (await page.locator('h1').first().innerText()).trim();
    const INPUT = '.pagefind-ui__search-input';
    const RESULT = '.pagefind-ui__result-link';
    let input = null;
    for (const start of [pages.search, pages.front]) {
      await page.goto(start);
      const candidate = page.locator(INPUT).first();
      try {
        await candidate.waitFor({ state: 'visible', timeout: 5000 });
        input = candidate;
        break;
      } catch {
        // not on this page: try the next
      }
    }
    assert.ok(input, `no visible search input (${INPUT}) on ${pages.search} or in the front page's header`);
    await input.fill(title);
    const first = page.locator(RESULT).first();
    try {
      await first.waitFor({ state: 'visible', timeout: 10_000 });
    } catch {
      assert.fail(`searching for "${title}" showed no result (${RESULT}) within 10 s`);
    }
    await page.screenshot({ path: screenshotPath('search-results'), fullPage: true });
    // The page whose title was searched for must be among the results; that result is opened.
    const wanted = new URL(personUrl).pathname;
    const hrefs = await page.locator(RESULT).evaluateAll((links) => links.map((a) => a.href));
    const index = hrefs.findIndex((href) => new URL(href).pathname === wanted);
    assert.ok(index >= 0, `searching for "${title}" does not list ${wanted}; results: ${hrefs.map((h) => new URL(h).pathname).join(', ')}`);
    const result = page.locator(RESULT).nth(index);
    await Promise.all([page.waitForURL(hrefs[index].split('#')[0] + '**'), result.click()]);
    assert.equal(new URL(page.url()).pathname, wanted, 'the result opens the page it names');
    assert.equal((await page.locator('h1').first().innerText()).trim(), title);
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('the search index finds a note by a word from its body', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open();
  try {
    const personUrl = requirePage(assert, pages, 'person');
    await page.goto(personUrl);
    const title = (await page.locator('h1').first().innerText()).trim().toLowerCase();
    // The longest word of the note's own text that is not in its title: a word only the body
    // can have put in the index.
    const body = await page.locator('.note-body').first().innerText();
    const words = body.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 6 && !title.includes(w.toLowerCase()));
    words.sort((a, b) => b.length - a.length || a.localeCompare(b));
    assert.ok(words.length > 0, `no word to search for in the body of ${personUrl}`);
    const word = words[0];
    await page.goto(pages.search);
    const input = page.locator('.pagefind-ui__search-input').first();
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(word);
    const RESULT = '.pagefind-ui__result-link';
    await page.locator(RESULT).first().waitFor({ state: 'visible', timeout: 10_000 });
    // Show every result, not only the first page of them.
    for (let i = 0; i < 10; i++) {
      const more = page.locator('.pagefind-ui__button');
      if (!(await more.count()) || !(await more.first().isVisible())) break;
      await more.first().click();
      await page.waitForTimeout(200);
    }
    const wanted = new URL(personUrl).pathname;
    const hrefs = await page.locator(RESULT).evaluateAll((links) => links.map((a) => new URL(a.href).pathname));
    assert.ok(hrefs.includes(wanted), `searching for the body word "${word}" does not list ${wanted}; results: ${hrefs.join(', ')}`);
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('hovering a wikilink shows a preview card', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open();
  try {
    let link = null;
    for (const start of [pages.person, pages.front, pages.event, pages.company].filter(Boolean)) {
      await page.goto(start);
      const candidate = page.locator('main a.wikilink').first();
      if ((await candidate.count()) > 0) {
        link = candidate;
        break;
      }
    }
    assert.ok(link, 'no a.wikilink to hover');
    await link.scrollIntoViewIfNeeded();
    await link.hover();
    const card = page.locator('.preview-card');
    try {
      await card.first().waitFor({ state: 'visible', timeout: 5000 });
    } catch {
      assert.fail(`hovering "${await link.innerText()}" on ${page.url()} showed no visible .preview-card`);
    }
    const text = (await card.first().innerText()).trim();
    assert.ok(text.length > 0, '.preview-card is visible but empty');
    await page.screenshot({ path: screenshotPath('preview-card') });
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('dark mode changes the page background', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open();
  try {
    await page.goto(requirePage(assert, pages, 'person'));
    // The colour a reader sees behind the text: body's, or the root's when body is transparent.
    const background = () =>
      page.evaluate(() => {
        const transparent = (c) => c === 'transparent' || c === 'rgba(0, 0, 0, 0)';
        const body = getComputedStyle(document.body).backgroundColor;
        return transparent(body) ? getComputedStyle(document.documentElement).backgroundColor : body;
      });
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    assert.notEqual(dark, light, `the background is ${light} in both light and dark mode`);
    await page.screenshot({ path: screenshotPath('person-dark'), fullPage: true });
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('printed, a page drops the navigation and prints dark on white, even from dark mode', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open();
  try {
    await page.goto(requirePage(assert, pages, 'person'));
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    assert.equal(await page.locator('nav.site-nav').isVisible(), false, 'nav.site-nav is printed');
    assert.ok(await page.locator('main#main').isVisible(), 'main#main is not printed');
    const { text, background } = await page.evaluate(() => {
      const transparent = (c) => c === 'transparent' || c === 'rgba(0, 0, 0, 0)';
      const body = getComputedStyle(document.body);
      const root = getComputedStyle(document.documentElement);
      return {
        text: body.color,
        background: transparent(body.backgroundColor) ? root.backgroundColor : body.backgroundColor,
      };
    });
    // Relative luminance of an rgb() colour (WCAG's formula), 0 for black to 1 for white.
    const luminance = (css) => {
      const [r, g, b] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const paperIsLight = background === 'transparent' || background === 'rgba(0, 0, 0, 0)' || luminance(background) > 0.8;
    assert.ok(paperIsLight, `printed background is ${background}`);
    assert.ok(luminance(text) < 0.1, `printed text colour is ${text}`);
    await page.screenshot({ path: screenshotPath('person-print'), fullPage: true });
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('a person page fits a 360-pixel phone screen', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  try {
    await page.goto(requirePage(assert, pages, 'person'));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `the page is ${width} px wide on a 360 px screen: it scrolls sideways`);
    await page.screenshot({ path: screenshotPath('person-phone'), fullPage: true });
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('the first Tab focuses a visible skip link that leads to <main>', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open();
  try {
    await page.goto(pages.front);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const box = el?.getBoundingClientRect();
      return {
        skip: el?.matches('a.skip-link') ?? false,
        href: el?.getAttribute('href'),
        visible: !!box && box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight && box.left >= 0,
      };
    });
    assert.ok(focused.skip, 'the first Tab does not focus a.skip-link');
    assert.ok(focused.visible, 'a.skip-link is focused but not visible on screen');
    await page.keyboard.press('Enter');
    assert.equal(new URL(page.url()).hash, '#main', 'Enter on the skip link goes to #main');
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

test('without JavaScript a citation still leads to its highlighted passage', { timeout: 60_000 }, async () => {
  const { context, page, errors } = await open({ javaScriptEnabled: false });
  try {
    await page.goto(requirePage(assert, pages, 'person'));
    const citation = page.locator('main sup.citation a').first();
    assert.equal(await citation.count(), 1, `no citation on ${page.url()}`);
    const href = await citation.evaluate((a) => a.href);
    await Promise.all([page.waitForURL(href.split('#')[0] + '**'), citation.click()]);
    const id = decodeURIComponent(new URL(page.url()).hash.slice(1));
    assert.equal(await page.locator(`[id="${id.replaceAll('"', '\\"')}"]`).evaluate((el) => el.localName), 'mark');
    const wikilink = page.locator('main a.wikilink').first();
    if ((await wikilink.count()) > 0) {
      const target = await wikilink.evaluate((a) => a.href);
      await Promise.all([page.waitForURL(target.split('#')[0] + '**'), wikilink.click()]);
      assert.notEqual(await page.getAttribute('body', 'data-kind'), 'error', `${target} without JavaScript`);
    }
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
  }
});

// The brief built with `--base-url https://casefile.test/brief/` and served under /brief/: every
// script must find its data (casefile.json, the search index) under the sub-path too.
const SUBPATH_SITE = process.env.CASEFILE_SUBPATH_SITE ?? (process.env.CASEFILE_SITE ? null : 'target/site-subpath');
test('hosted under a sub-path, pages, styles and previews still work', { timeout: 60_000 }, async (t) => {
  if (!SUBPATH_SITE) {
    t.skip('CASEFILE_SITE is set and CASEFILE_SUBPATH_SITE is not: no sub-path build to test');
    return;
  }
  const subServer = await startServer({ root: SUBPATH_SITE });
  const { context, page, errors } = await open();
  try {
    assert.notEqual(subServer.basePath, '/', `${SUBPATH_SITE} links home to /, not to its sub-path`);
    const response = await page.goto(subServer.url);
    assert.equal(response?.status(), 200);
    const styled = await page.evaluate(() => [...document.styleSheets].some((s) => s.cssRules.length > 0));
    assert.ok(styled, 'no stylesheet loaded under the sub-path');
    const link = page.locator('main a.wikilink').first();
    if ((await link.count()) > 0) {
      await link.scrollIntoViewIfNeeded();
      await link.hover();
      try {
        await page.locator('.preview-card').first().waitFor({ state: 'visible', timeout: 5000 });
      } catch {
        assert.fail('hovering a wikilink under the sub-path shows no .preview-card');
      }
      const href = await link.evaluate((a) => a.href);
      assert.ok(new URL(href).pathname.startsWith(subServer.basePath), `${href} leaves the sub-path`);
      await Promise.all([page.waitForURL(href.split('#')[0] + '**'), link.click()]);
      assert.notEqual(await page.getAttribute('body', 'data-kind'), 'error');
    }
    assertNoErrors(assert, errors);
  } finally {
    await context.close();
    await subServer.close();
  }
});
