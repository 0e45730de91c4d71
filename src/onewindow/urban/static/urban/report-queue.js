// The grid worker's queue of reports, kept in IndexedDB so that nothing is lost without a
// network: shared by the phone page (report.js) and its service worker (sw.js, Background
// Sync). A record is {key (the report's UUID: the server makes one case per key), user,
// category, categoryLabel, description, longitude, latitude, place, photos (JPEG Blobs),
// selfHandled, note, afterPhotos (JPEG Blobs: handled on the spot), createdAt, state ("queued"
// | "sent" | "refused"), number, error, errorCode and errorFields (a refusal's code and the
// fields it names), csrf}. A refused record keeps its photos: the worker may put it back into
// the form, correct it and report it again (a new record, a new key). No DOM here.
(function (root) {
  "use strict";
  var DB_NAME = "onewindow-urban";
  var STORE = "reports";
  var flushing = null;

  function open() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
        transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function put(record) { return run("readwrite", function (store) { return store.put(record); }); }
  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function remove(key) { return run("readwrite", function (store) { store.delete(key); }); }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function send(record, url, token) {
    var form = new FormData();
    form.append("client_key", record.key);
    form.append("category", record.category);
    form.append("description", record.description);
    form.append("longitude", record.longitude);
    form.append("latitude", record.latitude);
    form.append("place", record.place || "");
    (record.photos || []).forEach(function (blob, index) {
      form.append("photos", blob, "photo-" + (index + 1) + ".jpg");
    });
    if (record.selfHandled) {
      form.append("self_handled", "1");
      form.append("note", record.note || "");
      (record.afterPhotos || []).forEach(function (blob, index) {
        form.append("after_photos", blob, "after-" + (index + 1) + ".jpg");
      });
    }
    return root.fetch(url, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-CSRFToken": token || record.csrf || "", "Accept": "application/json" }
    });
  }

  function messageOf(body) {
    var parts = [body.message || ""];
    (body.errors || []).forEach(function (error) { if (error.message) parts.push(error.message); });
    return parts.filter(Boolean).join(" ");
  }

  // Send every queued record, one after the other; stop at the first answer that says "later"
  // (no network, signed out, too many, the server's own trouble, a stale CSRF token). A
  // refusal (422, 403, 409) is kept with its message and never sent again.
  function flush(url, token) {
    if (flushing) return flushing;
    flushing = all().then(function (records) {
      var queued = records.filter(function (r) { return r.state === "queued"; });
      queued.sort(function (a, b) { return a.createdAt - b.createdAt; });
      return queued.reduce(function (chain, record) {
        return chain.then(function () {
          return send(record, url, token).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (body) {
              var later = response.status === 401 || response.status === 429 || response.status >= 500 ||
                body.code === "csrf_failed";
              if (response.ok) {
                record.state = "sent";
                record.number = body.number;
                record.photos = [];
                record.afterPhotos = [];
                record.error = "";
                record.sentAt = Date.now();
                return put(record);
              }
              if (later) {
                record.error = messageOf(body);
                return put(record).then(function () { throw new Error("later"); });
              }
              record.state = "refused";
              record.error = messageOf(body);
              record.errorCode = body.code || "";
              record.errorFields = (body.errors || []).map(function (e) { return e.field; }).filter(Boolean);
              return put(record);
            });
          });
        });
      }, Promise.resolve());
    }).catch(function () { /* no network, or "later": the queue waits */ }).then(function () {
      flushing = null;
    });
    return flushing;
  }

  root.GridReportQueue = { put: put, all: all, remove: remove, flush: flush, newKey: newKey };
})(self);
