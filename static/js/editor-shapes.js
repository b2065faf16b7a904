// Annotation editor, geometry: creating shapes from a drag, their control handles, moving them.
// All coordinates are ORIGINAL image pixels (the overlay's viewBox), rounded to 0.1 px.
(function () {
  "use strict";

  const CV = window.CeusViewer;
  const round = (v) => Math.round(v * 10) / 10;

  const shapes = {
    KINDS: ["point", "arrow", "ellipse", "polygon", "text", "measure"],

    // Geometry for a drag from (x0, y0) to (x1, y1); null when too small to be meant (`min` px).
    fromDrag(kind, x0, y0, x1, y1, min) {
      if (kind === "arrow" || kind === "measure") {
        if (Math.hypot(x1 - x0, y1 - y0) < min) { return null; }
        return { x1: round(x0), y1: round(y0), x2: round(x1), y2: round(y1) };
      }
      if (kind === "ellipse") {
        const rx = Math.abs(x1 - x0) / 2;
        const ry = Math.abs(y1 - y0) / 2;
        if (rx < min / 2 || ry < min / 2) { return null; }
        return { cx: round((x0 + x1) / 2), cy: round((y0 + y1) / 2), rx: round(rx), ry: round(ry) };
      }
      return null;
    },

    fromPoint(kind, x, y) {
      return { x: round(x), y: round(y) };
    },

    handles(a) {
      const g = a.geometry;
      switch (a.kind) {
        case "point":
        case "text":
          return [[g.x, g.y]];
        case "arrow":
        case "measure":
          return [[g.x1, g.y1], [g.x2, g.y2]];
        case "ellipse":
          return [[g.cx + g.rx, g.cy], [g.cx, g.cy + g.ry], [g.cx - g.rx, g.cy], [g.cx, g.cy - g.ry]];
        case "polygon":
          return (g.points || []).map((p) => [p[0], p[1]]);
        default:
          return [];
      }
    },

    // A new geometry with handle `i` at (x, y).
    moveHandle(a, i, x, y, size) {
      const g = JSON.parse(JSON.stringify(a.geometry));
      x = round(x);
      y = round(y);
      switch (a.kind) {
        case "point":
        case "text":
          g.x = x; g.y = y;
          break;
        case "arrow":
        case "measure":
          if (i === 0) { g.x1 = x; g.y1 = y; } else { g.x2 = x; g.y2 = y; }
          break;
        case "ellipse": // the radius, kept inside the image
          if (i % 2 === 0) {
            g.rx = Math.max(1, round(Math.min(Math.abs(x - g.cx), g.cx, size ? size[0] - g.cx : Infinity)));
          } else {
            g.ry = Math.max(1, round(Math.min(Math.abs(y - g.cy), g.cy, size ? size[1] - g.cy : Infinity)));
          }
          break;
        case "polygon":
          g.points[i] = [x, y];
          break;
        default:
          break;
      }
      return g;
    },

    // Bounding box [x0, y0, x1, y1] of a geometry.
    extent(geometry) {
      const xs = [];
      const ys = [];
      const g = geometry;
      if ("x" in g) { xs.push(g.x); ys.push(g.y); }
      if ("x1" in g) { xs.push(g.x1, g.x2); ys.push(g.y1, g.y2); }
      if ("cx" in g) { xs.push(g.cx - g.rx, g.cx + g.rx); ys.push(g.cy - g.ry, g.cy + g.ry); }
      (g.points || []).forEach((p) => { xs.push(p[0]); ys.push(p[1]); });
      return [Math.min.apply(null, xs), Math.min.apply(null, ys), Math.max.apply(null, xs), Math.max.apply(null, ys)];
    },

    // Moved by (dx, dy), but never off the image (width x height): the server refuses that.
    translate(kind, geometry, dx, dy, width, height) {
      if (width && height) {
        const box = shapes.extent(geometry);
        dx = CV.clamp(dx, -box[0], width - box[2]);
        dy = CV.clamp(dy, -box[1], height - box[3]);
      }
      const g = JSON.parse(JSON.stringify(geometry));
      const mx = (v) => round(v + dx);
      const my = (v) => round(v + dy);
      if ("x" in g) { g.x = mx(g.x); g.y = my(g.y); }
      if ("x1" in g) { g.x1 = mx(g.x1); g.y1 = my(g.y1); g.x2 = mx(g.x2); g.y2 = my(g.y2); }
      if ("cx" in g) { g.cx = mx(g.cx); g.cy = my(g.cy); }
      if (g.points) { g.points = g.points.map((p) => [mx(p[0]), my(p[1])]); }
      return g;
    },

    // Handles as small screen-size squares; `u` = image pixels per CSS pixel.
    drawHandles(layer, a, u) {
      CV.clear(layer);
      const size = 11 * u;
      shapes.handles(a).forEach((p, i) => {
        layer.appendChild(CV.svg("rect", {
          class: "cv-handle", "data-handle": i,
          x: p[0] - size / 2, y: p[1] - size / 2, width: size, height: size,
        }));
      });
    },

    drawDraft(layer, kind, points, cursor, u) {
      CV.clear(layer);
      if (!points.length) { return; }
      const all = cursor ? points.concat([cursor]) : points;
      if (kind === "polygon") {
        layer.appendChild(CV.svg("polyline", { class: "cv-draft", points: all.map((p) => p.join(",")).join(" ") }));
        points.forEach((p, i) => layer.appendChild(CV.svg("circle", { class: "cv-draft-vertex" + (i === 0 ? " is-first" : ""), cx: p[0], cy: p[1], r: (i === 0 ? 6 : 4) * u })));
      } else if (kind === "ellipse" && cursor) {
        const p = points[0];
        layer.appendChild(CV.svg("ellipse", {
          class: "cv-draft", cx: (p[0] + cursor[0]) / 2, cy: (p[1] + cursor[1]) / 2,
          rx: Math.abs(cursor[0] - p[0]) / 2, ry: Math.abs(cursor[1] - p[1]) / 2,
        }));
      } else if (cursor) {
        layer.appendChild(CV.svg("line", { class: "cv-draft", x1: points[0][0], y1: points[0][1], x2: cursor[0], y2: cursor[1] }));
      }
    },
  };

  CV.shapes = shapes;
})();
