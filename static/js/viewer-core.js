// Case viewer, shared helpers: DOM/SVG builders, translated strings, formatting, JSON requests.
// Self-hosted, no libraries, no build step. The viewer's scripts are classic deferred scripts
// sharing one namespace (window.CeusViewer), loaded in order by templates/cases/case_detail.html.
// Every user-visible string comes from the page ([data-msg] elements rendered by Django's
// {% translate %}); text is always set with textContent, never parsed as HTML.
(function () {
  "use strict";

  const CV = (window.CeusViewer = window.CeusViewer || {});
  const SVG_NS = "http://www.w3.org/2000/svg";
  CV.SVG_NS = SVG_NS;

  function setAttrs(node, attrs) {
    if (!attrs) { return node; }
    Object.keys(attrs).forEach((name) => {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      node.setAttribute(name, value === true ? "" : String(value));
    });
    return node;
  }
  CV.setAttrs = setAttrs;

  CV.el = function (tag, attrs, text) {
    const node = setAttrs(document.createElement(tag), attrs);
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  };

  CV.svg = function (tag, attrs, text) {
    const node = setAttrs(document.createElementNS(SVG_NS, tag), attrs);
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  };

  CV.clear = function (node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  };

  CV.clamp = (value, low, high) => Math.min(high, Math.max(low, value));

  // --- Translated strings: <span data-msg="key">text</span> inside [data-strings] ------------
  CV.readStrings = function (root) {
    const out = {};
    root.querySelectorAll("[data-msg]").forEach((node) => {
      out[node.getAttribute("data-msg")] = node.textContent.trim();
    });
    return out;
  };

  // "Frame {n} of {total}" + {n: 3, total: 9} -> "Frame 3 of 9" (unknown names stay as they are).
  CV.fill = function (template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, (match, name) =>
      Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match);
  };

  // --- Numbers in the page's language ---------------------------------------------------------
  const formats = {};
  function numberFormat(options) {
    const key = JSON.stringify(options);
    if (!formats[key]) {
      const lang = document.documentElement.lang || undefined;
      try {
        formats[key] = new Intl.NumberFormat(lang, options);
      } catch (e) {
        formats[key] = new Intl.NumberFormat(undefined, options);
      }
    }
    return formats[key];
  }

  CV.fixed = function (value, digits) {
    return numberFormat({ minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  };

  // Parameters span many orders of magnitude (linear echo power): 3 significant digits, and
  // powers of ten outside [0.01, 100 000).
  CV.significant = function (value) {
    if (value === null || value === undefined || !isFinite(value)) { return "—"; }
    const size = Math.abs(value);
    if (size !== 0 && (size >= 1e5 || size < 0.01)) {
      return numberFormat({ notation: "scientific", maximumSignificantDigits: 3 }).format(value);
    }
    return numberFormat({ maximumSignificantDigits: 3 }).format(value);
  };

  // A signed time: "+23.4", "−2.0" (true minus sign), "0.0".
  CV.signed = function (value, digits) {
    const rounded = Number(value.toFixed(digits));
    const text = CV.fixed(Math.abs(rounded), digits);
    if (rounded > 0) { return "+" + text; }
    if (rounded < 0) { return "\u2212" + text; }
    return text;
  };

  // --- Requests ---------------------------------------------------------------------------------
  CV.csrfToken = function () {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // Resolves (never rejects) to {ok, status, body}; status 0 = the network failed.
  CV.request = async function (url, options) {
    const opts = options || {};
    const method = opts.method || "GET";
    const headers = { Accept: "application/json" };
    const init = { method: method, headers: headers, credentials: "same-origin" };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    if (method !== "GET" && method !== "HEAD") { headers["X-CSRFToken"] = CV.csrfToken(); }
    if (opts.keepalive) { init.keepalive = true; }
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      return { ok: false, status: 0, body: null };
    }
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    return { ok: response.ok, status: response.status, body: body };
  };

  // --- A minimal event emitter ----------------------------------------------------------------
  CV.Emitter = class {
    constructor() { this.handlers = {}; }
    on(name, handler) { (this.handlers[name] = this.handlers[name] || []).push(handler); }
    emit(name, value) { (this.handlers[name] || []).forEach((handler) => handler(value)); }
  };

  // --- Annotation helpers shared by the overlay, the curves and the editor ----------------------
  CV.inTimeRange = function (annotation, t) {
    const start = annotation.t_start;
    const end = annotation.t_end;
    return (start === null || start === undefined || t >= start - 1e-6) &&
      (end === null || end === undefined || t <= end + 1e-6);
  };

  CV.isRoi = (annotation) =>
    (annotation.kind === "ellipse" || annotation.kind === "polygon") && !!annotation.roi_role;

  // Calibrated length of a line, in mm, or null when it cannot be measured: both ends inside
  // one region (bounds inclusive) calibrated in cm on both axes (DOMAIN.md §3). The server
  // measures again on save; this is only the live preview while drawing.
  CV.lengthMm = function (regions, g) {
    const inside = (r, x, y) => x >= r.bounds[0] && x <= r.bounds[2] + 1 &&
      y >= r.bounds[1] && y <= r.bounds[3] + 1;
    for (const region of regions || []) {
      const cx = region.cm_per_px_x !== undefined ? region.cm_per_px_x : region.cm_per_pixel_x;
      const cy = region.cm_per_px_y !== undefined ? region.cm_per_px_y : region.cm_per_pixel_y;
      if (!region.bounds || !cx || !cy) { continue; }
      if (inside(region, g.x1, g.y1) && inside(region, g.x2, g.y2)) {
        return 10 * Math.hypot((g.x2 - g.x1) * cx, (g.y2 - g.y1) * cy);
      }
    }
    return null;
  };
})();
