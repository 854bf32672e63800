"""Checks the machine-readable files of built casefile sites: /feed.xml (Atom), /sitemap.xml and
/casefile.json. Each must parse; the feed must carry the elements Atom requires; every sitemap
entry and every feed link must lead to a page that exists in the build. With --base-url URL, every
sitemap location and feed id must also be absolute and start with URL (a site built with that
base_url is what crawlers and feed readers see).

Usage: python3 check_site_data.py [--base-url URL] SITE_DIR...
Prints one line per site and per problem; exit 1 if any problem, 0 otherwise.
"""

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def page_exists(site: Path, base_path: str, url: str) -> bool:
    """Whether the site's URL path `url` (already resolved) names a file in the build."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(base_path):
        return False
    relative = path[len(base_path):]
    target = site / relative
    if relative == "" or relative.endswith("/"):
        target = target / "index.html"
    return target.is_file()


def base_path_of(site: Path) -> str:
    """The path of base_url, read from the home link of the front page's site header."""
    html = (site / "index.html").read_text(encoding="utf-8", errors="replace")
    start = html.find('class="site-header"')
    href_at = html.find('href="', start) if start >= 0 else -1
    if href_at < 0:
        return "/"
    href = html[href_at + 6 : html.find('"', href_at + 6)]
    path = urlsplit(urljoin("http://site.invalid/", href)).path
    return path if path.endswith("/") else path + "/"


def check_site(site: Path, base_url: str | None) -> tuple[list[str], int]:
    problems: list[str] = []
    checked = 0
    if not (site / "index.html").is_file():
        return [f"{site}: no index.html (was the site built?)"], 0
    base_path = base_path_of(site)
    origin = "http://site.invalid" + base_path

    def resolve(url: str) -> str:
        return urljoin(origin, url)

    def require_absolute(what: str, url: str) -> None:
        if base_url is not None and not url.startswith(base_url):
            problems.append(f"{what} {url!r} is not an absolute URL under {base_url}")

    # casefile.json
    try:
        data = json.loads((site / "casefile.json").read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not data:
            problems.append("casefile.json is not a non-empty JSON object")
        checked += 1
    except (OSError, ValueError) as error:
        problems.append(f"casefile.json: {error}")

    # sitemap.xml
    try:
        root = ET.parse(site / "sitemap.xml").getroot()
        if root.tag != SITEMAP + "urlset":
            problems.append(f"sitemap.xml: root element is {root.tag}, not urlset")
        locations = [loc.text or "" for loc in root.iter(SITEMAP + "loc")]
        if not locations:
            problems.append("sitemap.xml lists no <loc>")
        for loc in locations:
            checked += 1
            require_absolute("sitemap <loc>", loc)
            target = resolve(loc.removeprefix(base_url) if base_url else loc)
            if not page_exists(site, base_path, target):
                problems.append(f"sitemap <loc> {loc} has no page in the build")
    except (OSError, ET.ParseError) as error:
        problems.append(f"sitemap.xml: {error}")

    # feed.xml (Atom: RFC 4287, section 4.1)
    try:
        feed = ET.parse(site / "feed.xml").getroot()
        if feed.tag != ATOM + "feed":
            problems.append(f"feed.xml: root element is {feed.tag}, not Atom's feed")
        for name in ("id", "title", "updated"):
            if feed.find(ATOM + name) is None:
                problems.append(f"feed.xml: the feed has no <{name}>")
        if feed.find(ATOM + "id") is not None:
            require_absolute("feed <id>", feed.find(ATOM + "id").text or "")
        entries = feed.findall(ATOM + "entry")
        if not entries:
            problems.append("feed.xml has no <entry>")
        for number, entry in enumerate(entries, 1):
            checked += 1
            for name in ("id", "title", "updated"):
                if entry.find(ATOM + name) is None:
                    problems.append(f"feed.xml entry {number}: no <{name}>")
            link = entry.find(ATOM + "link")
            if link is None or not link.get("href"):
                problems.append(f"feed.xml entry {number}: no <link href>")
                continue
            href = link.get("href")
            require_absolute(f"feed entry {number} <link>", href)
            target = resolve(href.removeprefix(base_url) if base_url else href)
            if not page_exists(site, base_path, target):
                problems.append(f"feed.xml entry {number} links to {href}, which has no page")
    except (OSError, ET.ParseError) as error:
        problems.append(f"feed.xml: {error}")
    return problems, checked


def main(argv: list[str]) -> int:
    base_url = None
    sites: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--base-url":
            base_url = next(args, None)
        else:
            sites.append(arg)
    if not sites:
        print(__doc__)
        return 2
    total_problems = 0
    total_checked = 0
    for site in sites:
        problems, checked = check_site(Path(site), base_url)
        total_problems += len(problems)
        total_checked += checked
        verdict = "ok  " if not problems else "FAIL"
        print(f"{verdict} {site}: {checked} entries checked (casefile.json, sitemap, feed), {len(problems)} problems")
        for problem in problems:
            print(f"  {problem}")
    print(f"DATA_CHECKED={total_checked} DATA_PROBLEMS={total_problems}")
    return 1 if total_problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
