// A loop that needs review: step through the thumbnail strip, and draw keep-rectangles on the
// poster frame. Rectangles are [x0, y0, x1, y1] in the original image's pixels, inclusive (the
// SVG's viewBox is the image's size, so SVG units are original pixels). Mouse, touch and pen
// through pointer events; keyboard: "Add rectangle", arrows move, Shift+arrows resize, Delete
// removes. Self-hosted, no libraries; texts come translated from the page.
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var MIN_SIZE = 4; // a smaller drag is a click, not a rectangle

  function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }

  function drawRects(svg, rects, selected) {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    rects.forEach(function (r, i) {
      var node = document.createElementNS(SVG, "rect");
      node.setAttribute("x", r[0]);
      node.setAttribute("y", r[1]);
      node.setAttribute("width", r[2] - r[0] + 1);
      node.setAttribute("height", r[3] - r[1] + 1);
      node.setAttribute("class", "mask-rect" + (i === selected ? " selected" : ""));
      node.setAttribute("data-index", String(i));
      svg.appendChild(node);
    });
  }

  function Editor(root) {
    this.root = root;
    this.columns = parseInt(root.getAttribute("data-columns"), 10);
    this.rows = parseInt(root.getAttribute("data-rows"), 10);
    this.surface = root.querySelector("[data-mask-surface]");
    this.overlay = root.querySelector("[data-strip-overlay]");
    this.list = root.querySelector("[data-mask-list]");
    this.input = root.querySelector("[data-mask-input]");
    this.save = root.querySelector("[data-mask-save]");
    this.remove = root.querySelector("[data-mask-remove]");
    this.rects = [];
    this.selected = -1;
    this.drag = null;
    this.bind();
    this.initStepper();
  }

  Editor.prototype.point = function (event) {
    var box = this.surface.getBoundingClientRect();
    return [
      clamp(Math.floor((event.clientX - box.left) / box.width * this.columns), 0, this.columns - 1),
      clamp(Math.floor((event.clientY - box.top) / box.height * this.rows), 0, this.rows - 1),
    ];
  };

  Editor.prototype.render = function () {
    drawRects(this.surface, this.rects, this.selected);
    if (this.overlay) { drawRects(this.overlay, this.rects, -1); }
    this.input.value = JSON.stringify(this.rects);
    this.save.disabled = this.rects.length === 0;
    this.remove.disabled = this.selected < 0;
    var list = this.list;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    this.rects.forEach(function (r) {
      var item = document.createElement("li");
      item.textContent = "x " + r[0] + "–" + r[2] + ", y " + r[1] + "–" + r[3];
      list.appendChild(item);
    });
  };

  Editor.prototype.select = function (index) {
    this.selected = index;
    this.render();
  };

  Editor.prototype.bind = function () {
    var self = this;
    var surface = this.surface;
    surface.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      event.preventDefault();
      surface.focus();
      var hit = event.target.getAttribute && event.target.getAttribute("data-index");
      var start = self.point(event);
      if (hit !== null && hit !== undefined) {
        var index = parseInt(hit, 10);
        self.drag = { move: index, start: start, from: self.rects[index].slice() };
        self.select(index);
      } else {
        self.rects.push([start[0], start[1], start[0], start[1]]);
        self.drag = { draw: self.rects.length - 1, start: start };
        self.select(self.rects.length - 1);
      }
      surface.setPointerCapture(event.pointerId);
    });
    surface.addEventListener("pointermove", function (event) {
      if (!self.drag) { return; }
      var p = self.point(event);
      var s = self.drag.start;
      if (self.drag.draw !== undefined) {
        self.rects[self.drag.draw] = [
          Math.min(s[0], p[0]), Math.min(s[1], p[1]), Math.max(s[0], p[0]), Math.max(s[1], p[1]),
        ];
      } else {
        var f = self.drag.from;
        var dx = clamp(p[0] - s[0], -f[0], self.columns - 1 - f[2]);
        var dy = clamp(p[1] - s[1], -f[1], self.rows - 1 - f[3]);
        self.rects[self.drag.move] = [f[0] + dx, f[1] + dy, f[2] + dx, f[3] + dy];
      }
      self.render();
    });
    function finish() {
      if (!self.drag) { return; }
      var index = self.drag.draw;
      self.drag = null;
      if (index !== undefined) {
        var r = self.rects[index];
        if (r[2] - r[0] + 1 < MIN_SIZE || r[3] - r[1] + 1 < MIN_SIZE) {
          self.rects.splice(index, 1);
          self.selected = -1;
        }
      }
      self.render();
    }
    surface.addEventListener("pointerup", finish);
    surface.addEventListener("pointercancel", finish);

    surface.addEventListener("keydown", function (event) { self.key(event); });
    this.root.querySelector("[data-mask-add]").addEventListener("click", function () {
      var w = Math.max(MIN_SIZE, Math.floor(self.columns / 2));
      var h = Math.max(MIN_SIZE, Math.floor(self.rows / 2));
      var x0 = Math.floor((self.columns - w) / 2);
      var y0 = Math.floor((self.rows - h) / 2);
      self.rects.push([x0, y0, x0 + w - 1, y0 + h - 1]);
      self.select(self.rects.length - 1);
      surface.focus();
    });
    this.remove.addEventListener("click", function () { self.removeSelected(); });
  };

  Editor.prototype.removeSelected = function () {
    if (this.selected < 0) { return; }
    this.rects.splice(this.selected, 1);
    this.select(this.rects.length ? this.rects.length - 1 : -1);
  };

  Editor.prototype.key = function (event) {
    var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      this.removeSelected();
      return;
    }
    if (event.key === "Tab" || !moves[event.key] || this.selected < 0) { return; }
    event.preventDefault();
    var step = Math.max(1, Math.round(Math.max(this.columns, this.rows) / 100));
    var d = moves[event.key];
    var r = this.rects[this.selected].slice();
    if (event.shiftKey) { // resize from the bottom-right corner
      r[2] = clamp(r[2] + d[0] * step, r[0] + MIN_SIZE - 1, this.columns - 1);
      r[3] = clamp(r[3] + d[1] * step, r[1] + MIN_SIZE - 1, this.rows - 1);
    } else {
      var dx = clamp(d[0] * step, -r[0], this.columns - 1 - r[2]);
      var dy = clamp(d[1] * step, -r[1], this.rows - 1 - r[3]);
      r = [r[0] + dx, r[1] + dy, r[2] + dx, r[3] + dy];
    }
    this.rects[this.selected] = r;
    this.render();
  };

  Editor.prototype.initStepper = function () {
    var strip = this.root.querySelector("[data-strip]");
    if (!strip) { return; }
    var count = parseInt(strip.getAttribute("data-count"), 10);
    var label = this.root.querySelector("[data-frame-label]");
    var template = label.getAttribute("data-template");
    var index = 0;
    function show() {
      strip.style.backgroundPosition = (count > 1 ? index / (count - 1) * 100 : 0) + "% 0";
      strip.setAttribute("data-frame", String(index));
      label.textContent = template
        .replace("%(index)s", String(index + 1))
        .replace("%(count)s", String(count));
    }
    this.root.querySelectorAll("[data-frame-step]").forEach(function (button) {
      button.addEventListener("click", function () {
        var step = parseInt(button.getAttribute("data-frame-step"), 10);
        index = (index + step + count) % count;
        show();
      });
    });
    show();
  };

  document.querySelectorAll("[data-mask-editor]").forEach(function (root) { new Editor(root); });
})();
