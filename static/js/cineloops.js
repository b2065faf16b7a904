// Cine loops: drag-and-drop upload with a progress bar per file, then live processing status.
// Files go in resumable parts (upload-resumable.js, the vendored tus-js-client) where the page
// loads it, else in one request each. Every message comes from data-msg-* attributes rendered
// by Django (translated); statuses come translated from the API. Without JavaScript the form
// still posts.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var PAGE_SIZE = 50; // the API's page size: ask for at most this many ids at once
  var PARALLEL_UPLOADS = 2;
  var DONE = { ready: true, needs_review: true, failed: true };

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; } // textContent: never parse HTML from anywhere
    return node;
  }

  // --- Status polling: every element with data-loop-id inside a [data-cine-poll] root --------
  function Poller(root) {
    this.root = root;
    this.url = root.getAttribute("data-poll-url");
    this.failedMsg = root.getAttribute("data-msg-poll-failed");
    this.rows = {}; // loop id -> element
    this.timer = null;
    var self = this;
    root.querySelectorAll("[data-loop-id]").forEach(function (node) {
      self.watch(node.getAttribute("data-loop-id"), node);
    });
  }

  Poller.prototype.watch = function (id, node) {
    this.rows[id] = node;
    this.schedule();
  };

  Poller.prototype.schedule = function () {
    var self = this;
    if (!this.timer && Object.keys(this.rows).length) {
      this.timer = window.setTimeout(function () { self.timer = null; self.poll(); }, POLL_MS);
    }
  };

  Poller.prototype.poll = function () {
    var self = this;
    var ids = Object.keys(this.rows).slice(0, PAGE_SIZE);
    if (!ids.length) { return; }
    fetch(this.url + "?ids=" + ids.join(","), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      (data.results || []).forEach(function (loop) { self.update(loop); });
      self.schedule();
    }).catch(function () {
      Object.keys(self.rows).forEach(function (id) { self.note(self.rows[id], self.failedMsg); });
      self.schedule();
    });
  };

  // A line of text under the status badge (the failure reason, or a polling problem).
  Poller.prototype.note = function (node, text) {
    var error = node.querySelector("[data-error]");
    if (!error && !text) { return; }
    if (!error) {
      var badge = node.querySelector("[data-status]");
      error = el("div", "cine-error");
      error.setAttribute("data-error", "");
      (badge ? badge.parentNode : node).appendChild(error);
    }
    error.textContent = text || "";
  };

  Poller.prototype.update = function (loop) {
    var node = this.rows[loop.id];
    if (!node) { return; }
    var badge = node.querySelector("[data-status]");
    if (badge) {
      badge.textContent = loop.status_display;
      badge.className = "badge cine-status cine-status-" + loop.status;
    }
    var bar = node.querySelector("[data-progress]");
    if (bar) { bar.value = loop.progress; bar.textContent = loop.progress + "%"; }
    this.note(node, loop.error);
    if (DONE[loop.status]) {
      delete this.rows[loop.id];
      if (bar) { bar.hidden = true; }
      if (this.root.hasAttribute("data-reload-when-done")) { window.location.reload(); }
    }
  };

  // --- Upload: one request per file, so each has its own progress bar and its own outcome ---
  function Uploader(root, poller) {
    this.root = root;
    this.poller = poller;
    this.form = root.querySelector("[data-upload-form]");
    this.queue = root.querySelector("[data-queue]");
    this.input = root.querySelector("[data-file-input]");
    this.maxBytes = parseInt(root.getAttribute("data-max-bytes"), 10);
    this.pending = [];
    this.active = 0;
    this.resumable = window.CeusResumableUpload && root.getAttribute("data-resumable-url");
    this.bind();
    if (this.resumable) { this.listUnfinished(); }
    // Files chosen before this script arrived (a slow link) fired their `change` unheard.
    if (this.input.files && this.input.files.length) {
      this.add(this.input.files);
      this.input.value = "";
    }
  }

  Uploader.prototype.msg = function (name) { return this.root.getAttribute("data-msg-" + name) || ""; };

  Uploader.prototype.bind = function () {
    var self = this;
    var zone = this.root.querySelector("[data-drop-zone]");
    this.root.querySelector("[data-submit]").hidden = true; // files start on selection
    this.input.addEventListener("change", function () {
      self.add(self.input.files);
      self.input.value = "";
    });
    this.form.addEventListener("submit", function (event) { event.preventDefault(); });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("is-over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files) { self.add(event.dataTransfer.files); }
    });
  };

  Uploader.prototype.add = function (files) {
    for (var i = 0; i < files.length; i++) {
      var item = this.row(files[i]);
      if (files[i].size > this.maxBytes) {
        this.fail(item, this.msg("too-large"));
      } else {
        this.pending.push(item);
      }
    }
    this.next();
  };

  Uploader.prototype.row = function (file) {
    var li = el("li", "cine-file");
    // The name is shown here, in the uploader's own browser, and is never sent (see send()).
    li.appendChild(el("span", "cine-file-name", file.name));
    var bar = el("progress");
    bar.max = 100;
    bar.value = 0;
    li.appendChild(bar);
    var state = el("span", "cine-file-state", this.msg("waiting"));
    li.appendChild(state);
    var loops = el("ul", "cine-loops");
    li.appendChild(loops);
    this.queue.appendChild(li);
    return { file: file, li: li, bar: bar, state: state, loops: loops };
  };

  Uploader.prototype.fail = function (item, text) {
    item.bar.hidden = true;
    item.state.textContent = text;
    item.li.classList.add("is-failed");
  };

  Uploader.prototype.next = function () {
    while (this.active < PARALLEL_UPLOADS && this.pending.length) {
      this.send(this.pending.shift());
    }
  };

  // "1.2 MB": sizes as the server's messages write them (binary units, one decimal).
  Uploader.prototype.size = function (bytes) {
    var units = ["bytes", "KB", "MB", "GB", "TB"], unit = 0;
    while (bytes >= 1024 && unit < units.length - 1) { bytes /= 1024; unit += 1; }
    var lang = document.documentElement.lang || undefined;
    var digits = unit ? 1 : 0;
    return bytes.toLocaleString(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }) +
      "\u00a0" + units[unit];
  };

  Uploader.prototype.format = function (name, values) {
    return this.msg(name).replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  };

  Uploader.prototype.percent = function (sent, total) {
    return (total ? Math.floor(100 * sent / total) : 0) + "%";
  };

  // Each file in parts: progress in bytes, waits and resumes said as they happen; once every
  // part is in, the upload's own address says when its loops exist.
  Uploader.prototype.sendResumable = function (item) {
    var self = this;
    var institution = this.form.querySelector("[name=institution]");
    var released = false;
    function release() {
      if (!released) { released = true; self.active -= 1; self.next(); }
    }
    this.active += 1;
    item.state.textContent = this.msg("uploading");
    window.CeusResumableUpload.start(item.file, {
      endpoint: this.root.getAttribute("data-resumable-url"),
      partBytes: parseInt(this.root.getAttribute("data-part-bytes"), 10),
      csrfToken: csrfToken(),
      owner: this.root.getAttribute("data-uploader"),
      metadata: institution ? { institution: institution.value } : {},
      onResume: function (url) { item.resumedFrom = -1; self.forgetUnfinished(url); },
      onProgress: function (sent, total) {
        item.bar.value = total ? Math.floor(100 * sent / total) : 0;
        var text = self.format("progress", {
          sent: self.size(sent), total: self.size(total), percent: self.percent(sent, total)
        });
        if (item.resumedFrom === -1) { item.resumedFrom = sent; } // the server's offset
        if (item.resumedFrom === sent) { // said until the next part is in
          text = self.format("resumed", { sent: self.size(sent) }) + " " + text;
        }
        item.state.textContent = text;
        item.li.classList.remove("is-waiting");
      },
      onWaiting: function (seconds) {
        item.li.classList.add("is-waiting");
        if (seconds === null) {
          item.state.textContent = self.msg("offline");
        } else if (seconds >= 60) {
          item.state.textContent = self.msg("connection-lost");
        } else {
          item.state.textContent = self.format("retrying", { seconds: Math.max(1, seconds) });
        }
      },
      onSuccess: function (url) {
        item.bar.value = 100;
        item.li.classList.remove("is-waiting");
        item.state.textContent = self.msg("joining");
        release();
        self.awaitResult(item, url);
      },
      onRefused: function (body, status) {
        release();
        if (status === 422) { // the file's start: refused like a file of a form upload
          self.showResult(item, { accepted: [], rejected: [{ entry: null, error: body.detail }] });
        } else {
          self.fail(item, body.detail);
        }
      },
      onError: function () { release(); self.fail(item, self.msg("upload-failed")); }
    });
  };

  // The upload's record until its parts are joined and its loops exist (seconds, usually).
  Uploader.prototype.awaitResult = function (item, url) {
    var self = this;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 404) { return null; } // deleted meanwhile (expired)
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (body) {
        if (body === null) {
          self.fail(item, self.msg("upload-failed"));
        } else if (body.status === "complete" && body.result) {
          self.showResult(item, body.result);
        } else {
          window.setTimeout(function () { self.awaitResult(item, url); }, POLL_MS);
        }
      })
      .catch(function () {
        window.setTimeout(function () { self.awaitResult(item, url); }, POLL_MS);
      });
  };

  // Uploads this browser started earlier and did not finish (a reload, a closed laptop): the
  // server still holds their parts; choosing the same file again continues them.
  Uploader.prototype.listUnfinished = function () {
    var self = this;
    var list = this.root.querySelector("[data-unfinished]");
    if (!list) { return; }
    window.CeusResumableUpload.unfinished(this.root.getAttribute("data-uploader"), csrfToken(), function (upload) {
      var li = el("li", "cine-unfinished", self.format("unfinished", {
        size: self.size(upload.size),
        percent: self.percent(upload.sent, upload.size),
        date: upload.created.toLocaleString(document.documentElement.lang || undefined)
      }) + " ");
      var cancel = el("button", "link-button", self.msg("discard"));
      cancel.type = "button";
      cancel.addEventListener("click", function () {
        cancel.disabled = true;
        upload.cancel().then(function () { li.remove(); list.hidden = !list.children.length; },
          function () { cancel.disabled = false; });
      });
      li.appendChild(cancel);
      li.setAttribute("data-upload-url", upload.url);
      list.appendChild(li);
      list.hidden = false;
    });
  };

  // An unfinished upload that goes on now: no longer one to mention.
  Uploader.prototype.forgetUnfinished = function (url) {
    var list = this.root.querySelector("[data-unfinished]");
    if (!list) { return; }
    Array.prototype.forEach.call(list.children, function (li) {
      if (li.getAttribute("data-upload-url") === url) { li.remove(); }
    });
    list.hidden = !list.children.length;
  };

  Uploader.prototype.send = function (item) {
    if (this.resumable) { this.sendResumable(item); return; }
    var self = this;
    var data = new FormData();
    // A neutral name: file names are often patient names and the server must not get them.
    data.append("file", item.file, "upload");
    var institution = this.form.querySelector("[name=institution]");
    if (institution) { data.append("institution", institution.value); }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", this.root.getAttribute("data-upload-url"));
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { item.bar.value = Math.round(100 * event.loaded / event.total); }
    });
    xhr.addEventListener("load", function () { self.done(item, xhr); });
    xhr.addEventListener("error", function () { self.fail(item, self.msg("upload-failed")); });
    xhr.addEventListener("loadend", function () { self.active -= 1; self.next(); });
    this.active += 1;
    item.state.textContent = this.msg("uploading");
    xhr.send(data);
  };

  Uploader.prototype.done = function (item, xhr) {
    var body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    if (!body || (xhr.status !== 202 && xhr.status !== 400)) {
      this.fail(item, (body && body.detail) || this.msg("upload-failed"));
      return;
    }
    this.showResult(item, body);
  };

  // What became of a file: its loops (watched until processed) and what was refused.
  Uploader.prototype.showResult = function (item, body) {
    item.bar.value = 100;
    item.state.textContent = body.accepted && body.accepted.length ? this.msg("uploaded") : this.msg("refused");
    var self = this;
    (body.accepted || []).forEach(function (entry) { self.loopRow(item, entry); });
    (body.rejected || []).forEach(function (entry) {
      var li = el("li", "cine-loop is-failed", self.where(entry));
      li.appendChild(el("span", "cine-error", entry.error));
      item.loops.appendChild(li);
    });
    if (!(body.accepted || []).length && !(body.rejected || []).length) {
      this.fail(item, this.msg("upload-failed"));
    }
  };

  Uploader.prototype.where = function (entry) {
    return entry.entry ? this.msg("entry").replace("{entry}", entry.entry) + " " : "";
  };

  Uploader.prototype.loopRow = function (item, entry) {
    var loop = entry.loop;
    var li = el("li", "cine-loop");
    li.setAttribute("data-loop-id", loop.id);
    var link = el("a", "", this.where(entry) + loop.display_label);
    link.href = this.root.getAttribute("data-detail-url").replace("/0/", "/" + loop.id + "/");
    li.appendChild(link);
    var badge = el("span", "badge cine-status cine-status-" + loop.status, loop.status_display);
    badge.setAttribute("data-status", "");
    li.appendChild(badge);
    var bar = el("progress");
    bar.max = 100;
    bar.value = loop.progress;
    bar.setAttribute("data-progress", "");
    li.appendChild(bar);
    item.loops.appendChild(li);
    this.poller.watch(String(loop.id), li);
    this.poller.update(loop);
  };

  document.querySelectorAll("[data-cine-poll]").forEach(function (root) {
    var poller = new Poller(root);
    if (root.hasAttribute("data-cine-upload") && window.FormData && window.fetch) {
      new Uploader(root, poller); // eslint-disable-line no-new
    }
  });
})();
