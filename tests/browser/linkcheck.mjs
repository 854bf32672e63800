// Checks every link of one or more built sites with linkinator: each site is served on 127.0.0.1
// (mounted at its own base path), crawled from its front page, and every same-site link is
// fetched, including each `#fragment`, which must name an element on the target page.
// Links to other hosts are skipped: the test machine has no network and must not try.
// linkinator checks a fragment only when it meets the link before it fetches the target page, so
// a second pass reads every page on disk and checks every same-site `#fragment` link against the
// ids of its target: a citation pointing at a missing <mark> cannot slip through. Every citation
// (`sup.citation a`) must moreover point at a `<mark>`, the highlighted passage it quotes.
//
// Usage: node tests/browser/linkcheck.mjs [--report FILE] SITE_DIR...
// Exit 0 when every site has links and none is broken, 1 otherwise.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LinkChecker, LinkState } from 'linkinator';
import { startServer, detectBasePath } from './server.mjs';

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decodeAttribute(value) {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function htmlFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

/**
 * Every same-site link with a `#fragment`, in every HTML page of `site`, must name an id (or an
 * `<a name>`) on its target page. Text fragments (`#:~:text=`) and `#top` are exempt: browsers
 * handle them without an element. Returns `{ checked, broken: [message] }`.
 */
export function checkFragmentsOnDisk(site) {
  const root = path.resolve(site);
  const basePath = detectBasePath(root);
  const origin = 'http://site.invalid';
  const urlOf = (file) => {
    const rel = path.relative(root, file).split(path.sep).join('/');
    return basePath + (rel === 'index.html' ? '' : rel.endsWith('/index.html') ? rel.slice(0, -'index.html'.length) : rel);
  };
  const idsByPath = new Map();
  const pagesHtml = [];
  for (const file of htmlFiles(root)) {
    const html = readFileSync(file, 'utf8');
    // id -> the name of the element that carries it (the first one, should there be twins).
    const ids = new Map();
    for (const match of html.matchAll(/<([a-zA-Z][\w-]*)\b[^>]*?\s(?:id|name)\s*=\s*"([^"]*)"/g)) {
      const id = decodeAttribute(match[2]);
      if (!ids.has(id)) ids.set(id, match[1].toLowerCase());
    }
    idsByPath.set(urlOf(file), ids);
    pagesHtml.push([urlOf(file), html]);
  }
  let checked = 0;
  let citations = 0;
  const broken = [];
  for (const [pagePath, html] of pagesHtml) {
    // A citation with a quote leads to its <mark>; one without (`[@source]`) may lead to the
    // source page itself, but if it names a fragment, that is a <mark> too.
    const citationPattern = /<sup\b[^>]*\bclass="[^"]*\bcitation\b[^"]*"[^>]*>\s*(<a\b[^>]*>)/g;
    for (const [, tag] of html.matchAll(citationPattern)) {
      const href = tag.match(/\shref\s*=\s*"([^"]*)"/)?.[1];
      if (href === undefined) {
        broken.push(`${pagePath}: a citation with no href: ${tag}`);
        continue;
      }
      const target = new URL(decodeAttribute(href), origin + pagePath);
      const quoted = /\sdata-quote\s*=\s*"[^"]+"/.test(tag);
      if (!quoted && target.hash === '') continue;
      citations++;
      const fragment = decodeURIComponent(target.hash.slice(1));
      const element = idsByPath.get(decodeURIComponent(target.pathname))?.get(fragment);
      if (element !== 'mark') {
        broken.push(`${pagePath}: citation ${href} leads to ${element ? `a <${element}>` : 'nothing'}, not a <mark>`);
      }
    }
    for (const match of html.matchAll(/<a\b[^>]*?\shref\s*=\s*"([^"]*#[^"]*)"/g)) {
      let target;
      try {
        target = new URL(decodeAttribute(match[1]), origin + pagePath);
      } catch {
        broken.push(`${pagePath}: unparsable link ${match[1]}`);
        continue;
      }
      if (target.origin !== origin) continue;
      const fragment = decodeURIComponent(target.hash.slice(1));
      if (fragment === '' || fragment === 'top' || fragment.startsWith(':~:')) continue;
      const ids = idsByPath.get(decodeURIComponent(target.pathname));
      if (!ids) continue; // not an HTML page of this site: linkinator reports missing pages
      checked++;
      if (!ids.has(fragment)) broken.push(`${pagePath}: link to ${target.pathname}#${fragment}, which has no element with that id`);
    }
  }
  return { checked, citations, broken };
}

const args = process.argv.slice(2);
let reportFile = null;
const sites = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--report') reportFile = args[++i];
  else sites.push(args[i]);
}
if (sites.length === 0) {
  console.error('usage: linkcheck.mjs [--report FILE] SITE_DIR...');
  process.exit(2);
}

let checked = 0;
let broken = 0;
let failedSites = 0;
for (const site of sites) {
  let server;
  try {
    server = await startServer({ root: site });
  } catch (error) {
    console.error(`FAIL ${site}: ${error.message}`);
    failedSites++;
    continue;
  }
  const checker = new LinkChecker();
  let pages = 0;
  checker.on('pagestart', () => pages++);
  const result = await checker.check({
    path: server.url,
    recurse: true,
    checkFragments: true,
    concurrency: 8,
    timeout: 10_000,
    redirects: 'allow',
    // Only this site's own origin is checked; every other URL (the sources' originals, base_url's
    // host in canonical links and feeds) is skipped without a request.
    linksToSkip: async (link) => !link.startsWith(server.origin),
  });
  await server.close();

  const fragments = checkFragmentsOnDisk(site);
  for (const message of fragments.broken) console.log(`  BROKEN FRAGMENT ${message}`);

  const siteChecked = result.links.filter((l) => l.state !== LinkState.SKIPPED);
  const siteBroken = result.links.filter((l) => l.state === LinkState.BROKEN);
  const skipped = result.links.length - siteChecked.length;
  checked += siteChecked.length + fragments.checked;
  broken += siteBroken.length + fragments.broken.length;
  // One line per broken URL, however many pages link to it.
  const byUrl = new Map();
  for (const link of siteBroken) {
    const url = link.url.replace(server.origin, '');
    if (!byUrl.has(url)) {
      const why = (link.failureDetails ?? [])
        .map((d) => (d instanceof Error ? d.message : `HTTP ${d.status}`))
        .filter((text, i, all) => all.indexOf(text) === i)
        .join('; ');
      byUrl.set(url, { status: link.status, why, parents: new Set() });
    }
    byUrl.get(url).parents.add((link.parent ?? '?').replace(server.origin, ''));
  }
  for (const [url, { status, why, parents }] of byUrl) {
    const from = [...parents];
    const shown = from.slice(0, 5).join(', ') + (from.length > 5 ? `, … (${from.length} pages)` : '');
    console.log(`  BROKEN ${url} (status ${status ?? '-'}${why ? `, ${why}` : ''})\n         linked from ${shown}`);
  }
  const clean = siteBroken.length === 0 && fragments.broken.length === 0;
  const verdict = clean && siteChecked.length > 0 ? 'ok  ' : 'FAIL';
  if (verdict !== 'ok  ') failedSites++;
  console.log(
    `${verdict} ${site} (served at ${server.basePath}): ${pages} pages crawled, ` +
      `${siteChecked.length} links checked, ${siteBroken.length} broken, ${skipped} external skipped; ` +
      `${fragments.checked} #fragment links checked on disk (${fragments.citations} citations ` +
      `with a quote, each to a <mark>), ${fragments.broken.length} broken`,
  );
  if (siteChecked.length === 0) console.log(`  no link was checked in ${site}: is the site empty?`);
}

if (reportFile) {
  writeFileSync(reportFile, JSON.stringify({ sites: sites.length, checked, broken, failedSites }));
}
process.exit(failedSites === 0 ? 0 : 1);
