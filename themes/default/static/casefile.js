/* casefile.js: hover previews for the default theme.
 *
 * Progressive enhancement only: every page reads and navigates without it. When a mouse rests
 * on, or keyboard focus lands on, a cross-link (`a.wikilink`) or a citation (`sup.citation a`),
 * a small card shows what is behind it: for a cross-link the note's kind, title and summary;
 * for a citation the source's title, publisher, date and the quoted words. The data comes from
 * the link's own `data-*` attributes, else (citations) from the page's Sources list, else
 * (cross-links) from `<base>casefile.json`, fetched once. Touch taps are left alone: the link
 * just opens.
 *
 * It also gives Pagefind's search box an accessible name: Pagefind labels it only with
 * `title` and `placeholder`, which screen readers may skip (axe: label-title-only).
 *
 * The script must never break a page: every handler is guarded, a missing or malformed
 * casefile.json only means shorter cards, and nothing is written to the console.
 */
(function () {
  "use strict";

  var SHOW_DELAY_MS = 250;
  var HIDE_DELAY_MS = 200;
  var CARD_ID = "preview-card";
  var LINK_SELECTOR = "a.wikilink, sup.citation a";
  var KIND_NAMES = {
    person: "Person",
    company: "Company",
    event: "Event",
    source: "Source",
    page: "Page",
  };
  /* A focus that follows a touch this soon is the tap itself, not keyboard navigation. */
  var TOUCH_FOCUS_WINDOW_MS = 1000;

  var card = null;
  var activeLink = null;
  var savedDescribedBy = null;
  var showTimer = 0;
  var hideTimer = 0;
  var lastTouchAt = -Infinity;
  var pointerPoint = null;
  var notesIndex = null; /* a Promise of {byPath, bySlug} or null, made on first need */

  /** Runs `fn` so that no error can escape into the page (the tests fail on any). */
  function guarded(fn) {
    return function (event) {
      try {
        fn(event);
      } catch (ignored) {
        /* A preview is a nicety; drop it rather than disturb the reader. */
      }
    };
  }

  function basePath() {
    var meta = document.querySelector('meta[name="casefile-base"]');
    var base = (meta && meta.getAttribute("content")) || "/";
    return base.charAt(base.length - 1) === "/" ? base : base + "/";
  }

  function linkFrom(node) {
    if (!node || node.nodeType !== 1 || !node.closest) return null;
    if (card && card.contains(node)) return null;
    return node.closest(LINK_SELECTOR);
  }

  /* ---------------------------------------------------------------- what a card says */

  /** The card's content for `link`, or null when there is nothing worth showing. */
  function describe(link) {
    if (link.closest("sup.citation")) return describeCitation(link);
    return describeWikilink(link);
  }

  function describeCitation(link) {
    var number = link.getAttribute("data-note") || text(link);
    var entry = number ? document.getElementById("source-" + number) : null;
    var title = link.getAttribute("data-source-title") || (entry && text(entry.querySelector(".source-title")));
    var quote = link.getAttribute("data-quote") || (entry && text(entry.querySelector("q, .quote")));
    var meta = [];
    if (entry) {
      var publisher = text(entry.querySelector(".publisher"));
      var date = text(entry.querySelector("time"));
      if (publisher) meta.push(publisher);
      if (date) meta.push(date);
    }
    if (!title && !quote) return null;
    return {
      kind: "source",
      kindLabel: "Source " + number,
      title: title || "",
      meta: meta.join(", "),
      quote: quote || "",
    };
  }

  function describeWikilink(link) {
    var kind = link.getAttribute("data-kind") || "";
    var title = link.getAttribute("data-title") || "";
    var summary = link.getAttribute("data-summary") || "";
    if (!title || !summary) {
      var note = lookUp(link);
      if (note) {
        title = title || note.title || "";
        summary = summary || note.summary || "";
        kind = kind || note.kind || "";
      } else if (notesIndex === null && !link.hasAttribute("data-summary")) {
        loadIndex();
      }
    }
    title = title || text(link);
    if (!title) return null;
    return {
      kind: kind,
      kindLabel: KIND_NAMES[kind] || "",
      title: title,
      text: summary,
    };
  }

  function text(node) {
    return node ? (node.textContent || "").replace(/\s+/g, " ").trim() : "";
  }

  /* ---------------------------------------------------------------- casefile.json */

  var loadedIndex = null;

  function loadIndex() {
    if (notesIndex !== null) return notesIndex;
    /* Browsers refuse fetch() on file:// and log it; a site opened from disk gets short cards. */
    if (!window.fetch || !window.Promise || location.protocol === "file:") {
      notesIndex = false;
      return notesIndex;
    }
    notesIndex = fetch(basePath() + "casefile.json", { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        loadedIndex = data ? buildIndex(data) : null;
        /* The card may already be showing the short version: fill it in. */
        if (activeLink && card && !card.hidden) render(activeLink);
        return loadedIndex;
      })
      .catch(function () {
        loadedIndex = null;
        return null;
      });
    return notesIndex;
  }

  function lookUp(link) {
    if (!loadedIndex) return null;
    var path = pathOf(link.getAttribute("href") || "");
    if (!path) return null;
    if (loadedIndex.byPath[path]) return loadedIndex.byPath[path];
    var parts = path.split("/").filter(Boolean);
    var slug = parts[parts.length - 1];
    var folder = parts[parts.length - 2];
    return loadedIndex.bySlug[folder + "/" + slug] || loadedIndex.bySlug[slug] || null;
  }

  /**
   * The pathname of `href` (fragment removed, `index.html` dropped, trailing slash added).
   * A link on the page must stay on this site; an address in casefile.json may carry the
   * brief's public origin (`base_url`) while the site is read elsewhere, so only its path counts.
   */
  function pathOf(href, fromData) {
    try {
      var url = new URL(href, fromData ? location.origin + basePath() : location.href);
      if (!fromData && url.origin !== location.origin) return "";
      var path = url.pathname.replace(/index\.html$/, "");
      return path.charAt(path.length - 1) === "/" ? path : path + "/";
    } catch (ignored) {
      return "";
    }
  }

  /*
   * casefile.json holds the whole brief. This reads it loosely, so that the card keeps
   * working while its shape grows: any object with a string `title` and a way to name its
   * page (`url`, `path`, `href`, or `slug` with `folder`/`kind`) counts as a note.
   */
  function buildIndex(data) {
    var index = { byPath: Object.create(null), bySlug: Object.create(null) };
    var seen = 0;
    (function walk(value, depth) {
      if (!value || typeof value !== "object" || depth > 4 || seen > 20000) return;
      seen += 1;
      if (Array.isArray(value)) {
        for (var i = 0; i < value.length; i++) walk(value[i], depth + 1);
        return;
      }
      if (typeof value.title === "string") addNote(index, value);
      for (var key in value) {
        if (Object.prototype.hasOwnProperty.call(value, key) && typeof value[key] === "object") {
          walk(value[key], depth + 1);
        }
      }
    })(data, 0);
    return index;
  }

  var FOLDER_OF_KIND = { person: "people", company: "companies", event: "events", source: "sources", page: "pages" };

  function addNote(index, value) {
    var kind = typeof value.kind === "string" ? value.kind : typeof value.type === "string" ? value.type : "";
    var note = {
      title: value.title,
      summary: typeof value.summary === "string" ? value.summary : "",
      kind: kind,
    };
    ["url", "path", "href", "permalink"].forEach(function (field) {
      if (typeof value[field] === "string") {
        var path = pathOf(value[field], true);
        if (path) keep(index.byPath, path, note);
      }
    });
    if (typeof value.slug === "string") {
      var folder = typeof value.folder === "string" ? value.folder : FOLDER_OF_KIND[kind];
      if (folder) keep(index.bySlug, folder + "/" + value.slug, note);
      keep(index.bySlug, value.slug, note);
    }
  }

  /* The first entry for a page wins, unless a later one has the summary the first lacks
     (a citation naming a source may come before the source's own entry). */
  function keep(map, key, note) {
    var old = map[key];
    if (!old || (!old.summary && note.summary)) map[key] = note;
  }

  /* ---------------------------------------------------------------- the card */

  function ensureCard() {
    if (card && document.body.contains(card)) return card;
    card = document.getElementById(CARD_ID);
    if (!card) {
      card = document.createElement("div");
      card.id = CARD_ID;
      card.className = "preview-card";
      card.setAttribute("role", "tooltip");
      card.hidden = true;
      document.body.appendChild(card);
    }
    return card;
  }

  function span(className, content) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = content;
    return element;
  }

  /** Fills the card for `link`; returns false when there is nothing to say. */
  function render(link) {
    var content = describe(link);
    if (!content) return false;
    var box = ensureCard();
    while (box.firstChild) box.removeChild(box.firstChild);
    if (content.kind) box.setAttribute("data-kind", content.kind);
    else box.removeAttribute("data-kind");
    if (content.kindLabel) box.appendChild(span("preview-kind", content.kindLabel));
    if (content.title) box.appendChild(span("preview-title", content.title));
    if (content.meta) box.appendChild(span("preview-meta", content.meta));
    if (content.text) box.appendChild(span("preview-text", content.text));
    if (content.quote) box.appendChild(span("preview-quote", content.quote));
    return true;
  }

  function show(link) {
    if (!link.isConnected) return;
    if (!render(link)) return;
    if (activeLink && activeLink !== link) releaseLink();
    var box = ensureCard();
    box.hidden = false;
    place(box, link);
    if (activeLink !== link) {
      activeLink = link;
      savedDescribedBy = link.getAttribute("aria-describedby");
      link.setAttribute("aria-describedby", savedDescribedBy ? savedDescribedBy + " " + CARD_ID : CARD_ID);
    }
  }

  function releaseLink() {
    if (!activeLink) return;
    if (savedDescribedBy) activeLink.setAttribute("aria-describedby", savedDescribedBy);
    else activeLink.removeAttribute("aria-describedby");
    activeLink = null;
    savedDescribedBy = null;
  }

  function hide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (card) card.hidden = true;
    releaseLink();
  }

  /** Below the link's line (the line under the pointer, for a link that wraps), else above. */
  function place(box, link) {
    var rects = link.getClientRects();
    var rect = rects.length ? rects[0] : link.getBoundingClientRect();
    if (pointerPoint && rects.length > 1) {
      for (var i = 0; i < rects.length; i++) {
        if (pointerPoint.y >= rects[i].top && pointerPoint.y <= rects[i].bottom) rect = rects[i];
      }
    }
    box.style.left = "0px";
    box.style.top = "0px";
    var width = box.offsetWidth;
    var height = box.offsetHeight;
    var viewWidth = document.documentElement.clientWidth || window.innerWidth;
    var viewHeight = window.innerHeight;
    var margin = 8;
    var left = Math.max(margin, Math.min(rect.left, viewWidth - width - margin));
    var top = rect.bottom + 6;
    if (top + height > viewHeight - margin && rect.top - height - 6 >= margin) {
      top = rect.top - height - 6;
    }
    box.style.left = Math.round(left + window.pageXOffset) + "px";
    box.style.top = Math.round(top + window.pageYOffset) + "px";
  }

  function scheduleShow(link) {
    clearTimeout(hideTimer);
    clearTimeout(showTimer);
    if (link === activeLink && card && !card.hidden) return;
    showTimer = setTimeout(
      guarded(function () {
        show(link);
      }),
      SHOW_DELAY_MS
    );
  }

  function scheduleHide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(guarded(hide), HIDE_DELAY_MS);
  }

  /* ---------------------------------------------------------------- events */

  function onPointerOver(event) {
    if (event.pointerType === "touch") return;
    if (card && card.contains(event.target)) {
      /* The reader moved onto the card: keep it (WCAG 1.4.13, hoverable). */
      clearTimeout(hideTimer);
      return;
    }
    var link = linkFrom(event.target);
    if (!link) return;
    pointerPoint = { x: event.clientX, y: event.clientY };
    scheduleShow(link);
  }

  function onPointerOut(event) {
    if (event.pointerType === "touch") return;
    var from = event.target;
    var to = event.relatedTarget;
    var leftLink = linkFrom(from);
    var leftCard = card && card.contains(from);
    if (!leftLink && !leftCard) return;
    if (to && to.nodeType === 1) {
      if (leftLink && leftLink.contains(to)) return;
      if (card && card.contains(to)) return;
      if (activeLink && activeLink.contains(to)) return;
    }
    scheduleHide();
  }

  function onPointerDown(event) {
    if (event.pointerType === "touch") {
      lastTouchAt = Date.now();
      hide();
    }
  }

  function onFocusIn(event) {
    var link = linkFrom(event.target);
    if (!link) return;
    if (Date.now() - lastTouchAt < TOUCH_FOCUS_WINDOW_MS) return;
    pointerPoint = null;
    scheduleShow(link);
  }

  function onFocusOut(event) {
    if (linkFrom(event.target)) hide();
  }

  function onKeyDown(event) {
    if (event.key === "Escape" || event.key === "Esc") {
      if (card && !card.hidden) hide();
      else clearTimeout(showTimer);
    }
  }

  /* ---------------------------------------------------------------- search box label */

  function labelSearchBoxes() {
    var inputs = document.querySelectorAll("input.pagefind-ui__search-input");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.hasAttribute("aria-label") || input.hasAttribute("aria-labelledby")) continue;
      if (input.labels && input.labels.length) continue;
      input.setAttribute("aria-label", input.getAttribute("title") || input.getAttribute("placeholder") || "Search");
    }
  }

  /* Pagefind mounts its box whenever its own script runs, before or after this one. */
  function watchForSearchBoxes() {
    labelSearchBoxes();
    if (!window.MutationObserver || !document.body) return;
    var observer = new MutationObserver(guarded(labelSearchBoxes));
    observer.observe(document.body, { childList: true, subtree: true });
  }

  function start() {
    guarded(watchForSearchBoxes)();
    var usePointer = "PointerEvent" in window;
    document.addEventListener(usePointer ? "pointerover" : "mouseover", guarded(onPointerOver));
    document.addEventListener(usePointer ? "pointerout" : "mouseout", guarded(onPointerOut));
    if (usePointer) document.addEventListener("pointerdown", guarded(onPointerDown), true);
    document.addEventListener("focusin", guarded(onFocusIn));
    document.addEventListener("focusout", guarded(onFocusOut));
    document.addEventListener("keydown", guarded(onKeyDown));
    document.addEventListener("click", guarded(hide));
    window.addEventListener("resize", guarded(hide));
    window.addEventListener("pagehide", guarded(hide));
  }

  try {
    if (document.querySelector && document.addEventListener && Element.prototype.closest) start();
  } catch (ignored) {
    /* An old browser: the links work as plain links. */
  }
})();
