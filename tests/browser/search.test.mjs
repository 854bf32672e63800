// The search index as Pagefind's own script reads it, without a browser: casefile writes the
// index itself, so these tests load the `pagefind.js` the site ships into Node, point it at the
// site served over HTTP, and search. A note must be found by a word of its title and of its body,
// shown with its title and an excerpt, and the `kind` filter must narrow the results.
//
// Run: node --test tests/browser/search.test.mjs (the site must be built in target/site, or
// CASEFILE_SITE names another folder).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SITE_DIR } from './support.mjs';
import { startServer } from './server.mjs';

let server;
let pagefind;
let notes;

before(async () => {
  server = await startServer({ root: SITE_DIR });
  pagefind = await import(pathToFileURL(path.join(SITE_DIR, 'pagefind', 'pagefind.js')).href);
  await pagefind.options({ basePath: `${server.url}pagefind/` });
  const data = JSON.parse(readFileSync(path.join(SITE_DIR, 'casefile.json'), 'utf8'));
  notes = data.notes.filter((n) => ['person', 'company', 'event', 'source'].includes(n.kind));
});

after(async () => {
  await pagefind?.destroy?.();
  await server?.close();
});

/** The loaded data of every result of a search. */
async function searchAll(query, options = {}) {
  const search = await pagefind.search(query, options);
  return Promise.all(search.results.map((r) => r.data()));
}

/** The site path of a result's URL, which Pagefind gives absolute under the base path. */
function sitePath(url) {
  return new URL(url, server.url).pathname;
}

test('a note is found by a word of its title, shown with its title and an excerpt', async () => {
  const note = notes.find((n) => n.kind === 'company') ?? notes[0];
  assert.ok(note, 'the site has no note to search for');
  const word = note.title.split(/\s+/).find((w) => /^\p{L}{3,}$/u.test(w)) ?? note.title;
  const results = await searchAll(word);
  const hit = results.find((r) => sitePath(r.url) === new URL(note.url, server.url).pathname);
  assert.ok(hit, `searching "${word}" does not find ${note.url}; found ${results.map((r) => r.url).join(', ')}`);
  assert.equal(hit.meta.title, note.title);
  assert.ok(hit.excerpt.includes('<mark>'), `the excerpt marks no word: ${hit.excerpt}`);
  assert.deepEqual(hit.filters.kind, [note.kind]);
});

test('a word of a note body finds it, and the kind filter keeps only that kind', async () => {
  const note = notes.find((n) => n.kind === 'person' && n.summary) ?? notes[0];
  const word = note.summary.split(/\s+/).map((w) => w.replace(/\W+$/, '')).find((w) => /^[a-z]{6,}$/.test(w));
  assert.ok(word, `no plain word in the summary of ${note.url}`);
  const wanted = new URL(note.url, server.url).pathname;
  const all = await searchAll(word);
  assert.ok(all.some((r) => sitePath(r.url) === wanted), `"${word}" does not find ${note.url}`);
  const people = await searchAll(word, { filters: { kind: 'person' } });
  assert.ok(people.some((r) => sitePath(r.url) === wanted), `"${word}" among people does not find ${note.url}`);
  assert.ok(people.every((r) => r.filters.kind[0] === 'person'), 'the person filter let another kind through');
  const others = await searchAll(word, { filters: { kind: 'event' } });
  assert.ok(!others.some((r) => sitePath(r.url) === wanted), 'the event filter kept a person');
});

test('the kind filter counts every indexed page once', async () => {
  const entry = JSON.parse(readFileSync(path.join(SITE_DIR, 'pagefind', 'pagefind-entry.json'), 'utf8'));
  const pageCount = Object.values(entry.languages).reduce((sum, l) => sum + l.page_count, 0);
  const counts = (await pagefind.filters()).kind;
  assert.ok(counts, 'the index has no kind filter');
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  assert.equal(total, pageCount);
  for (const kind of ['person', 'company', 'event', 'source']) {
    assert.ok(counts[kind] > 0, `no page of kind ${kind} in the filter: ${JSON.stringify(counts)}`);
  }
});
