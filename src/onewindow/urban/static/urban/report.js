// The grid worker's phone page (/staff/urban/report/): the category picker with search (name,
// keywords, pinyin and its initials), the position from the phone (or typed), photos from the
// camera made at most 1600 px JPEG here on the phone, the description, and for a small problem
// handled on the spot (自行处置) the photo after and what was done — and the queue: each
// report is kept in IndexedDB (report-queue.js) with its own key and sent when the network is
// there (at once, on the "online" event, on every load, every 30 s while some wait, and by
// Background Sync in the service worker). A static file: the pages' Content-Security-Policy
// allows no inline script. Texts come from the page's data-t-* attributes (translated there).
// A refused report offers "Correct and report again": its record goes back into the form (its
// photos too); it leaves the queue once the corrected report is queued (a new record with a
// new key), so closing the page before that loses nothing.
(function () {
  "use strict";
  var root = document.getElementById("grid-report");
  if (!root || !window.GridReportQueue) return;
  var Queue = window.GridReportQueue;
  var MAX_SIDE = 1600;
  var photosMax = parseInt(root.getAttribute("data-photos-max"), 10) || 6;
  var categoriesUrl = root.getAttribute("data-categories-url");
  var reportsUrl = root.getAttribute("data-reports-url");
  var user = root.getAttribute("data-user");
  var categories = [];
  var photos = [];
  var afterPhotos = [];
  var resizing = 0;
  var keptKey = "";  // the report just queued: "kept on this phone" shows until it has left
  var replacing = "";  // the refused record put back into the form, removed when re-reported
  var selfBox = document.getElementById("report-self");
  var $ = function (id) { return document.getElementById(id); };
  var t = function (name, value) {
    var text = root.getAttribute("data-t-" + name) || "";
    return value === undefined ? text : text.replace("%s", value);
  };

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // --- the network ------------------------------------------------------------------------
  function showNetwork() {
    var box = $("report-network");
    box.textContent = navigator.onLine ? t("online") : t("offline");
    box.classList.toggle("is-offline", !navigator.onLine);
  }

  // --- categories -------------------------------------------------------------------------
  function normal(text) { return (text || "").toLowerCase().replace(/\s+/g, ""); }

  function renderCategories(query) {
    var list = $("category-list");
    var q = normal(query);
    var chosen = $("report-category").value;
    list.textContent = "";
    // Initials match anywhere from two letters on ("xgg": 非法小广告, ffxgg); one letter only
    // from the start (else nearly every category would match).
    var shown = categories.filter(function (c) {
      var at = c.initials.indexOf(q);
      return !q || normal(c.name).indexOf(q) !== -1 || normal(c.keywords).indexOf(q) !== -1 ||
        c.pinyin.indexOf(q) !== -1 || at === 0 || (q.length >= 2 && at !== -1) ||
        normal(c.code) === q || normal(c.major).indexOf(q) !== -1;
    }).slice(0, 40);
    if (q && !shown.length && categories.length) {
      var none = document.createElement("li");
      none.className = "grid-report__none";
      none.setAttribute("data-none", "");
      none.textContent = t("no-match");
      list.appendChild(none);
    }
    shown.forEach(function (c) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-code", c.code);
      button.setAttribute("aria-pressed", c.code === chosen ? "true" : "false");
      button.textContent = c.name;
      var major = document.createElement("small");
      major.textContent = c.major;
      button.appendChild(major);
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function choose(code) {
    var found = categories.filter(function (c) { return c.code === code; })[0];
    if (!found) return;
    keptKey = "";
    $("report-category").value = found.code;
    $("category-chosen").textContent = found.major + " › " + found.name;
    renderCategories($("category-search").value);
  }

  function loadCategories() {
    return fetch(categoriesUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (list) {
        categories = list;
        try { localStorage.setItem("urban.categories", JSON.stringify(list)); } catch (e) { /* full */ }
      })
      .catch(function () {
        try { categories = JSON.parse(localStorage.getItem("urban.categories") || "[]"); } catch (e) { categories = []; }
        if (!categories.length) $("report-error").textContent = t("no-categories");
      })
      .then(function () { renderCategories($("category-search").value); });
  }

  // --- position ---------------------------------------------------------------------------
  function locate() {
    var status = $("locate-status");
    if (!navigator.geolocation) { status.textContent = t("no-position"); return; }
    status.textContent = t("locating");
    navigator.geolocation.getCurrentPosition(function (position) {
      $("report-longitude").value = position.coords.longitude.toFixed(6);
      $("report-latitude").value = position.coords.latitude.toFixed(6);
      status.textContent = t("located", Math.round(position.coords.accuracy || 0));
    }, function () {
      status.textContent = t("no-position");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  // --- photos -----------------------------------------------------------------------------
  // A thumbnail (a JPEG data: address, at most 128 px) of an image or canvas.
  function thumbOf(image, width, height) {
    var small = document.createElement("canvas");
    var thumbScale = Math.min(1, 128 / Math.max(width, height));
    small.width = Math.max(1, Math.round(width * thumbScale));
    small.height = Math.max(1, Math.round(height * thumbScale));
    small.getContext("2d").drawImage(image, 0, 0, small.width, small.height);
    return small.toDataURL("image/jpeg", 0.7);
  }

  function resized(file) {
    if (!window.createImageBitmap) return Promise.resolve({ blob: file, thumb: "" });
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      var thumb = thumbOf(canvas, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve({ blob: blob || file, thumb: thumb }); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return { blob: file, thumb: "" }; });
  }

  // A photo kept in a refused record (already made small here): its blob as it is, and a new
  // thumbnail.
  function restored(blob) {
    if (!window.createImageBitmap) return Promise.resolve({ blob: blob, thumb: "" });
    return createImageBitmap(blob).then(function (bitmap) {
      return { blob: blob, thumb: thumbOf(bitmap, bitmap.width, bitmap.height) };
    }).catch(function () { return { blob: blob, thumb: "" }; });
  }

  function showThumbs(list, boxId, statusId) {
    var box = $(boxId);
    box.textContent = "";
    list.forEach(function (photo) {
      if (!photo.thumb) return;
      var img = document.createElement("img");
      img.src = photo.thumb;
      img.alt = "";
      box.appendChild(img);
    });
    $(statusId).textContent = list.length ? t("photos", list.length) : "";
  }

  function showPhotos() {
    showThumbs(photos, "photo-thumbs", "photos-status");
    if (selfBox) showThumbs(afterPhotos, "after-thumbs", "after-status");
  }

  // The photos before and after share the limit of one report.
  function addPhotos(files, after) {
    var room = photosMax - photos.length - afterPhotos.length;
    var taken = Array.prototype.slice.call(files, 0, Math.max(0, room));
    if (files.length > room) $("report-error").textContent = t("too-many-photos", photosMax);
    // Sending waits for the resizing: a photo never lands in the next report.
    resizing += 1;
    $("report-submit").disabled = true;
    return Promise.all(taken.map(resized)).then(function (done) {
      if (after) afterPhotos = afterPhotos.concat(done); else photos = photos.concat(done);
      showPhotos();
    }).then(function () {
      resizing -= 1;
      if (!resizing) $("report-submit").disabled = false;
    });
  }

  // Unticked, the photos after are dropped: they would count against the limit unseen.
  function showSelf() {
    if (!selfBox) return;
    var on = selfBox.checked;
    $("report-self-fields").hidden = !on;
    selfBox.setAttribute("aria-expanded", on ? "true" : "false");
    if (!on && afterPhotos.length) {
      afterPhotos = [];
      showPhotos();
    }
  }

  // --- the queue --------------------------------------------------------------------------
  function render() {
    return Queue.all().then(function (records) {
      var list = $("report-queue");
      list.textContent = "";
      records = records.filter(function (r) { return r.user === user; });
      records.sort(function (a, b) { return b.createdAt - a.createdAt; });
      if (keptKey && !records.some(function (r) { return r.key === keptKey && r.state === "queued"; })) {
        keptKey = "";
        if ($("category-chosen").textContent === t("kept")) $("category-chosen").textContent = "";
      }
      if (!records.length) {
        var empty = document.createElement("li");
        empty.textContent = t("empty");
        list.appendChild(empty);
      }
      records.forEach(function (r) {
        var item = document.createElement("li");
        item.setAttribute("data-key", r.key);
        item.setAttribute("data-state", r.state);
        var what = document.createElement("strong");
        what.textContent = r.categoryLabel + (r.selfHandled ? " · " + t("self") : "") + " · " +
          new Date(r.createdAt).toLocaleString();
        var state = document.createElement("div");
        state.className = "state-" + r.state;
        if (r.state === "sent") {
          state.textContent = t("sent") + " ";
          var number = document.createElement("span");
          number.className = "report-number";
          number.textContent = r.number;
          state.appendChild(number);
        } else {
          state.textContent = r.state === "refused" ? t("refused") + ": " + r.error : t("queued");
        }
        item.appendChild(what);
        item.appendChild(state);
        if (r.key === replacing) item.setAttribute("data-correcting", "");
        if (r.state === "refused") {
          var again = document.createElement("button");
          again.type = "button";
          again.className = "button button--secondary";
          again.setAttribute("data-again", r.key);
          again.textContent = t("again");
          item.appendChild(again);
        }
        list.appendChild(item);
      });
    });
  }

  // The fields a refusal names, in the form's order: the first one is focused.
  var FIELDS = [
    ["category", "category-search"], ["longitude", "report-longitude"],
    ["latitude", "report-latitude"], ["place", "report-place"], ["photos", "report-photos"],
    ["description", "report-description"], ["after_photos", "report-after-photos"],
    ["note", "report-note"]
  ];

  function toCorrect(record, categoryFound) {
    var named = (record.errorFields || []).slice();
    if (!categoryFound) named.push("category");
    // Another community's grid: the place is what to correct.
    if (record.errorCode === "report_outside_area") named.push("longitude");
    var field = FIELDS.filter(function (f) { return named.indexOf(f[0]) !== -1; })[0];
    var element = field ? $(field[1]) : null;
    return element && !element.closest("[hidden]") ? element : null;
  }

  // "Correct and report again": the refused record goes back into the form (what the worker
  // typed, chose and photographed); it stays in the queue, marked, until the corrected report
  // is queued — a new record with a new key: the server refused the old key's content.
  function putBack(key) {
    return Queue.all().then(function (records) {
      var record = records.filter(function (r) { return r.key === key && r.user === user; })[0];
      if (!record || record.state !== "refused") return render();
      resizing += 1;
      $("report-submit").disabled = true;
      var self = !!(selfBox && record.selfHandled);
      return Promise.all([
        Promise.all((record.photos || []).map(restored)),
        Promise.all((self ? record.afterPhotos || [] : []).map(restored))
      ]).then(function (both) {
        keptKey = "";
        $("category-search").value = "";
        $("report-category").value = "";
        $("category-chosen").textContent = "";
        choose(record.category);
        var categoryFound = $("report-category").value === record.category;
        if (!categoryFound) renderCategories("");
        $("report-description").value = record.description || "";
        $("report-place").value = record.place || "";
        $("report-longitude").value = record.longitude || "";
        $("report-latitude").value = record.latitude || "";
        photos = both[0];
        afterPhotos = both[1];
        if (selfBox) {
          selfBox.checked = self;
          $("report-note").value = self ? record.note || "" : "";
          showSelf();
        }
        showPhotos();
        $("report-error").textContent = t("refused") + ": " + (record.error || "");
        var element = toCorrect(record, categoryFound);
        if (element) {
          element.scrollIntoView({ block: "center" });
          element.focus({ preventScroll: true });
        } else {
          $("report-form").scrollIntoView({ block: "start" });
        }
        replacing = record.key;
      }).then(function () {
        resizing -= 1;
        if (!resizing) $("report-submit").disabled = false;
        return render();
      }, function (problem) {
        resizing -= 1;
        if (!resizing) $("report-submit").disabled = false;
        $("report-error").textContent = String(problem);
      });
    });
  }

  function flush() {
    if (!navigator.onLine) return Promise.resolve();
    return Queue.flush(reportsUrl, csrf()).then(render);
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("urban-reports");
    }).catch(function () { /* no Background Sync: the page sends */ });
  }

  function submit(event) {
    event.preventDefault();
    var error = $("report-error");
    error.textContent = "";
    var code = $("report-category").value;
    var found = categories.filter(function (c) { return c.code === code; })[0];
    var record = {
      key: Queue.newKey(),
      user: user,
      category: code,
      categoryLabel: found ? found.name : code,
      description: $("report-description").value.trim(),
      longitude: $("report-longitude").value.trim(),
      latitude: $("report-latitude").value.trim(),
      place: $("report-place").value.trim(),
      photos: photos.map(function (p) { return p.blob; }),
      selfHandled: !!(selfBox && selfBox.checked),
      note: selfBox && selfBox.checked ? $("report-note").value.trim() : "",
      afterPhotos: selfBox && selfBox.checked ? afterPhotos.map(function (p) { return p.blob; }) : [],
      createdAt: Date.now(),
      state: "queued",
      number: "",
      error: "",
      csrf: csrf()
    };
    if (!record.category || !record.description || !record.longitude || !record.latitude || !record.photos.length) {
      error.textContent = t("missing");
      return;
    }
    if (record.selfHandled && (!record.note || !record.afterPhotos.length)) {
      error.textContent = t("missing-self");
      return;
    }
    $("report-submit").disabled = true;
    Queue.put(record).then(function () {
      var old = replacing;
      replacing = "";
      return old ? Queue.remove(old) : undefined;
    }).then(function () {
      photos = [];
      afterPhotos = [];
      $("report-form").reset();
      showPhotos();
      showSelf();
      $("report-category").value = "";
      $("category-chosen").textContent = t("kept");
      keptKey = record.key;
      renderCategories("");
      askForSync();
      return render();
    }).then(flush).catch(function (problem) {
      error.textContent = String(problem);
    }).then(function () { if (!resizing) $("report-submit").disabled = false; });
  }

  // --- wiring -----------------------------------------------------------------------------
  $("category-search").addEventListener("input", function (event) { renderCategories(event.target.value); });
  $("category-list").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-code]");
    if (button) choose(button.getAttribute("data-code"));
  });
  $("report-locate").addEventListener("click", locate);
  $("report-queue").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-again]");
    if (!button) return;
    button.disabled = true;
    putBack(button.getAttribute("data-again"));
  });
  $("report-photos").addEventListener("change", function (event) {
    addPhotos(event.target.files, false).then(function () { event.target.value = ""; });
  });
  if (selfBox) {
    $("report-self-field").hidden = false;
    $("report-after-photos").addEventListener("change", function (event) {
      addPhotos(event.target.files, true).then(function () { event.target.value = ""; });
    });
    selfBox.addEventListener("change", showSelf);
  }
  $("report-form").addEventListener("submit", submit);
  window.addEventListener("online", function () { showNetwork(); flush(); });
  window.addEventListener("offline", showNetwork);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-sw-url"), { scope: root.getAttribute("data-scope") })
      .catch(function () { /* the page works without it, online */ });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "urban-reports-changed") render();
    });
  }
  window.setInterval(function () { flush(); }, 30000);
  showNetwork();
  loadCategories();
  render().then(flush);
  if (!$("report-longitude").value) locate();
})();
