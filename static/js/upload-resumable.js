// Resumable uploads for the cine upload page: the vendored tus-js-client (window.tus) with what
// a rural link needs. Parts of a few MB, each with a SHA-256 checksum where the browser can
// compute one (secure contexts); retries with backoff, and after the last one it keeps trying
// every minute and at once when the browser is back online, so a dropped connection or a
// closed laptop only pauses the upload. The upload's address is remembered in localStorage
// under a key made of the signed-in user, a hash of the file's name (the name itself is never
// stored nor sent: it may be the patient's), its size and date, so choosing the same file again
// after a reload continues from where the server is. The server side: cineloops/resumable.py.
(function () {
  "use strict";

  if (!window.tus || !window.tus.isSupported) { return; }

  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000];
  var KEEP_TRYING_MS = 60000;
  var PREFIX = "ceus-cine";

  // A short, stable hash of a string (cyrb53): the file name is not kept in the clear.
  function hash(text) {
    var h1 = 0xdeadbeef, h2 = 0x41c6ce57;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
  }

  function keyPrefix(owner) { return PREFIX + ":" + owner + ":"; }

  function base64(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return window.btoa(text);
  }

  // The default HTTP stack, with an Upload-Checksum on every part (tus checksum extension):
  // a part damaged on the way is refused (460) and sent again, never appended.
  function ChecksumStack(inner) { this.inner = inner; }
  ChecksumStack.prototype.getName = function () { return "ChecksumStack"; };
  ChecksumStack.prototype.createRequest = function (method, url) {
    var request = this.inner.createRequest(method, url);
    var subtle = window.crypto && window.crypto.subtle;
    if (method !== "PATCH" || !subtle) { return request; }
    var send = request.send.bind(request);
    request.send = function (body) {
      if (!body || typeof body.arrayBuffer !== "function") { return send(body); }
      return body.arrayBuffer().then(function (bytes) {
        return subtle.digest("SHA-256", bytes);
      }).then(function (digest) {
        request.setHeader("Upload-Checksum", "sha256 " + base64(digest));
        return send(body);
      });
    };
    return request;
  };

  function status(error) {
    var response = error && error.originalResponse;
    return response ? response.getStatus() : 0;
  }

  function responseBody(error) {
    var response = error && error.originalResponse;
    if (!response) { return null; }
    try { return JSON.parse(response.getBody()); } catch (e) { return null; }
  }

  // Worth trying again: no answer (the network), a server error, a conflict of offsets, a
  // locked upload, a part damaged on the way. Not a refusal (too large, not DICOM, expired).
  function transient(error) {
    var code = status(error);
    return code === 0 || code >= 500 || code === 409 || code === 423 || code === 460;
  }

  // Start (or continue) uploading ``file``; ``options``: endpoint, partBytes, csrfToken,
  // owner, metadata, and the callbacks onProgress(sent, total), onResume(), onWaiting(seconds
  // or null when offline), onSuccess(url), onRefused(body, status), onError(); onResume(url)
  // when it continues an upload this browser started earlier.
  function start(file, options) {
    var waiting = null;
    var done = false;
    var upload = new window.tus.Upload(file, {
      endpoint: options.endpoint,
      chunkSize: options.partBytes,
      retryDelays: RETRY_DELAYS,
      metadata: options.metadata || {},
      headers: { "X-CSRFToken": options.csrfToken },
      httpStack: new ChecksumStack(new window.tus.DefaultHttpStack()),
      removeFingerprintOnSuccess: true,
      fingerprint: function (f) {
        return Promise.resolve(keyPrefix(options.owner) + [
          hash(f.name), f.size, f.lastModified, (options.metadata || {}).institution || ""
        ].join("-"));
      },
      onShouldRetry: function (error, attempt) {
        if (!transient(error)) { return false; }
        var code = status(error);
        if (code === 0 || code >= 500) { // said; a conflict of offsets is settled quietly
          options.onWaiting(navigator.onLine === false ? null : RETRY_DELAYS[attempt] / 1000);
        }
        return true;
      },
      onProgress: function (sent, total) { options.onProgress(sent, total); },
      onSuccess: function () {
        done = true;
        forget();
        options.onSuccess(upload.url);
      },
      onError: function (error) {
        if (transient(error)) { keepTrying(); return; }
        done = true;
        forget();
        var body = responseBody(error);
        if (body && body.detail) { options.onRefused(body, status(error)); } else { options.onError(); }
      }
    });

    function resume() {
      if (done) { return; }
      window.clearTimeout(waiting);
      window.removeEventListener("online", resume);
      upload.start(); // with an address: HEAD first, then on from the server's offset
    }

    function keepTrying() {
      options.onWaiting(navigator.onLine === false ? null : KEEP_TRYING_MS / 1000);
      window.addEventListener("online", resume);
      waiting = window.setTimeout(resume, KEEP_TRYING_MS);
    }

    function forget() {
      window.clearTimeout(waiting);
      window.removeEventListener("online", resume);
    }

    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]);
        options.onResume(previous[0].uploadUrl);
      }
      upload.start();
    });
    return upload;
  }

  // The unfinished uploads this browser remembers for ``owner`` that the server still holds:
  // calls ``found({url, size, sent, created, cancel})`` for each; forgets the others.
  function unfinished(owner, csrfToken, found) {
    var storage = window.tus.defaultOptions.urlStorage;
    if (!storage || !window.tus.canStoreURLs) { return; }
    storage.findAllUploads().then(function (uploads) {
      uploads.forEach(function (stored) {
        if (String(stored.urlStorageKey).indexOf("tus::" + keyPrefix(owner)) !== 0) { return; }
        fetch(stored.uploadUrl, {
          method: "HEAD", credentials: "same-origin", headers: { "Tus-Resumable": "1.0.0" }
        }).then(function (response) {
          var sent = parseInt(response.headers.get("Upload-Offset"), 10);
          var size = parseInt(response.headers.get("Upload-Length"), 10);
          if (response.status === 404 || response.status === 410 || (response.ok && sent >= size)) {
            storage.removeUpload(stored.urlStorageKey);
            return;
          }
          if (!response.ok) { return; }
          found({
            url: stored.uploadUrl,
            size: size,
            sent: sent,
            created: new Date(stored.creationTime),
            cancel: function () {
              return window.tus.Upload.terminate(stored.uploadUrl, {
                headers: { "X-CSRFToken": csrfToken }
              }).then(function () { storage.removeUpload(stored.urlStorageKey); });
            }
          });
        }).catch(function () { /* offline: nothing to say yet */ });
      });
    });
  }

  window.CeusResumableUpload = { start: start, unfinished: unfinished };
})();
