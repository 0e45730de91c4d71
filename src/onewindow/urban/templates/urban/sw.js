{% load static %}// The service worker of the grid worker's phone page (scope: the grid pages under /staff/urban/).
// It keeps the page, its script and styles and the category list, so the page opens and a
// report can be made without a network (network first, so they are fresh whenever there is
// one; only the vendored ECharts from the cache first); and it sends the queued
// reports when Background Sync says the network is back. No address outside this site.
"use strict";
importScripts("{% static 'urban/report-queue.js' %}");

var CACHE = "{{ version|escapejs }}";
var PAGE = "{{ page_url|escapejs }}";
var CATEGORIES = "{{ categories_url|escapejs }}";
var REPORTS = "{{ reports_url|escapejs }}";
var OUTLINES = "{{ outlines_url|escapejs }}";
var OUTLINES_PATH = OUTLINES.split("?")[0];
var ECHARTS = "{% static 'vendor/echarts.min.js' %}";
var ASSETS = [
  PAGE,
  CATEGORIES,
  "{% static 'urban/report-queue.js' %}",
  "{% static 'urban/report.js' %}",
  "{% static 'urban/report.css' %}",
  "{% static 'css/onewindow.css' %}",
  "{% static 'css/staff.css' %}",
  ECHARTS,
  "{% static 'grid/gridmap.js' %}",
  "{% static 'grid/gridmap.css' %}"
];
// Network first for everything but the large vendored ECharts (cache first): a page of a new
// release never runs with the scripts of the last one while there is a network.
var FRESH = ASSETS.filter(function (url) { return url !== ECHARTS; }).concat([OUTLINES_PATH]);
var PRECACHE = ASSETS.concat([OUTLINES]);
ASSETS.push(OUTLINES_PATH);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(PRECACHE.map(function (url) {
        return fetch(new Request(url, { credentials: "same-origin" })).then(function (response) {
          if (response.ok && !response.redirected) return cache.put(url.split("?")[0], response);
        }).catch(function () { /* kept on the next visit */ });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("urban-report-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || ASSETS.indexOf(url.pathname) === -1) return;
  var path = url.pathname;
  if (FRESH.indexOf(path) !== -1) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(path, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(path).then(function (hit) { return hit || Response.error(); });
      })
    );
    return;
  }
  event.respondWith(
    caches.match(path).then(function (hit) { return hit || fetch(request); })
  );
});

function told() {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({ type: "urban-reports-changed" }); });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== "urban-reports") return;
  event.waitUntil(self.GridReportQueue.flush(REPORTS, "").then(told));
});
