// A tiny static file server for a built casefile site, used by the browser tests and the link
// check. It behaves like an ordinary static host: `/x/` serves `x/index.html`, `/x` redirects to
// `/x/` when `x` is a folder, anything missing answers 404 with the site's own `404.html`, and the
// site can be mounted under a sub-path (as when `base_url` is `https://host/brief/`).
// It listens on 127.0.0.1 only, on a free port chosen by the system.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

function contentType(file) {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The path part of the site's base URL, read from the home link in the header of the built front
 * page (`<header class="site-header">` links the brief's title home). Falls back to `/`.
 */
export function detectBasePath(root) {
  let html;
  try {
    html = readFileSync(path.join(root, 'index.html'), 'utf8');
  } catch {
    return '/';
  }
  const header = html.match(/<header[^>]*class="[^"]*\bsite-header\b[^"]*"[^>]*>([\s\S]*?)<\/header>/);
  const href = header?.[1].match(/<a\b[^>]*\bhref="([^"]*)"/)?.[1];
  if (!href) return '/';
  const pathname = new URL(href.replaceAll('&amp;', '&'), 'http://placeholder/').pathname;
  return pathname.endsWith('/') ? pathname : `${pathname}/`;
}

async function isFile(file) {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isDirectory(file) {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Serves `root` at `http://127.0.0.1:<free port><basePath>`.
 * Resolves to `{ origin, url, basePath, close }`; `url` is the site's home page.
 */
export async function startServer({ root, basePath = detectBasePath(root) }) {
  const siteRoot = path.resolve(root);
  if (!(await isDirectory(siteRoot))) {
    throw new Error(`site folder ${siteRoot} does not exist: build the site first`);
  }
  const notFoundPage = path.join(siteRoot, '404.html');

  async function notFound(res) {
    const body = (await isFile(notFoundPage)) ? await readFile(notFoundPage) : 'Not found';
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  }

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let pathname;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return notFound(res);
      }
      if (!pathname.startsWith(basePath)) {
        if (`${pathname}/` === basePath) {
          res.writeHead(301, { location: basePath });
          return res.end();
        }
        return notFound(res);
      }
      const relative = pathname.slice(basePath.length);
      const file = path.resolve(siteRoot, `.${path.posix.sep}${relative}`);
      // Never serve anything outside the site folder, whatever the request says.
      if (file !== siteRoot && !file.startsWith(siteRoot + path.sep)) return notFound(res);
      let target = file;
      if (await isDirectory(file)) {
        if (!pathname.endsWith('/')) {
          res.writeHead(301, { location: `${url.pathname}/${url.search}` });
          return res.end();
        }
        target = path.join(file, 'index.html');
      }
      if (!(await isFile(target))) return notFound(res);
      const body = await readFile(target);
      res.writeHead(200, { 'content-type': contentType(target), 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    basePath,
    url: `${origin}${basePath}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
