// The leaders' map: the open cases as points (by light) and the month's reports per grid as a
// heat map, drawn by OneWindowGridMap (grid/static/grid/gridmap.js) from the project's own
// GeoJSON; nothing is fetched from outside the site.
(function () {
  "use strict";
  function start() {
    var element = document.getElementById("urban-today-map");
    if (!element || !window.fetch) return;
    var get = function (url) {
      return url ? fetch(url, { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.json() : null;
      }) : Promise.resolve(null);
    };
    Promise.all([get(element.dataset.points), get(element.dataset.heat)]).then(function (found) {
      var points = found[0] || { points: [], grids: [] };
      var heat = found[1] || { heat: [] };
      if (!window.OneWindowGridMap) {
        element.textContent = element.dataset.noMap;
        return;
      }
      window.OneWindowGridMap.render(element, {
        outlines: element.dataset.outlines || null,
        points: points.points,
        heat: heat.heat,
      });
    }).catch(function () {
      element.textContent = element.dataset.noMap;
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
