// Maps of the unit grids without the internet: the outlines come from the platform's own
// GeoJSON (grid/outlines/), drawn by the vendored ECharts as a "geo" component — no tiles, no
// fonts, no request leaving the server. Needs vendor/echarts.min.js loaded first.
//
//   var map = OneWindowGridMap.render(element, {
//     outlines: "/staff/grid/outlines.geojson?region=440103001",  // URL of a FeatureCollection
//     points: [{lon: 113.24, lat: 23.11, light: "green" | "yellow" | "red", label: "…", href: "…"}],
//     heat: [{lon: 113.24, lat: 23.11, value: 3}],
//     onPick: function (lon, lat) { … }                    // a tap or click on the map
//   });
//   map.ready      a Promise, resolved with the ECharts instance once the outlines are drawn
//   map.setPoints(points) / map.setHeat(heat) / map.pick(lon, lat) / map.dispose()
//
// Without an inline script (the Content-Security-Policy forbids them), a page marks an
// element instead:
//   <div data-gridmap data-outlines="URL" data-points="ID" data-heat="ID"
//        data-pick-lon="ID" data-pick-lat="ID"></div>
// where data-points / data-heat name json_script elements and data-pick-lon / -lat name the
// inputs a tap fills (the report pages' location); a "change" on those inputs moves the pin.
(function () {
  "use strict";
  var LIGHTS = { green: "#2e7d32", yellow: "#f9a825", red: "#c62828" };
  var STYLE = {
    street: { borderColor: "#37474f", borderWidth: 2.5, areaColor: "rgba(0,0,0,0)" },
    community: { borderColor: "#5c6bc0", borderWidth: 1.5, areaColor: "rgba(0,0,0,0)" },
    grid: { borderColor: "#90a4ae", borderWidth: 0.8, areaColor: "rgba(144,202,249,0.25)" }
  };
  var counter = 0;

  function prepare(collection) {
    // ECharts names each region by properties.name; the codes are unique, the names may not be.
    var regions = [];
    var features = (collection.features || []).map(function (feature) {
      var props = feature.properties || {};
      var level = STYLE[props.level] ? props.level : "grid";
      regions.push({
        name: props.code,
        itemStyle: STYLE[level],
        label: { show: false },
        emphasis: { disabled: level !== "grid", label: { show: false } }
      });
      return {
        type: "Feature",
        geometry: feature.geometry,
        properties: { name: props.code, title: props.name, level: level }
      };
    });
    // Streets first and grids last: each drawn over the one that holds it.
    var rank = { street: 0, community: 1, grid: 2 };
    features.sort(function (a, b) { return rank[a.properties.level] - rank[b.properties.level]; });
    return { map: { type: "FeatureCollection", features: features }, regions: regions };
  }

  function pointData(points) {
    return (points || []).map(function (p) {
      return {
        name: p.label || "",
        value: [Number(p.lon), Number(p.lat)],
        href: p.href || "",
        itemStyle: { color: LIGHTS[p.light] || LIGHTS.green }
      };
    });
  }

  function heatData(heat) {
    return (heat || []).map(function (h) { return [Number(h.lon), Number(h.lat), Number(h.value) || 0]; });
  }

  function render(element, options) {
    options = options || {};
    if (!window.echarts) { throw new Error("OneWindowGridMap needs vendor/echarts.min.js"); }
    counter += 1;
    var mapName = "onewindow-grids-" + counter;
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    var state = { points: options.points || [], heat: options.heat || [], picked: null, drawn: false };
    var titles = {};

    function series() {
      var list = [{
        id: "points", type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbolSize: 12,
        data: pointData(state.points), zlevel: 2,
        tooltip: { formatter: function (p) { return p.name; } }
      }];
      var heat = heatData(state.heat);
      if (heat.length) {
        list.push({ id: "heat", type: "heatmap", coordinateSystem: "geo", geoIndex: 0, data: heat, pointSize: 14, blurSize: 18 });
      }
      list.push({
        id: "picked", type: "scatter", coordinateSystem: "geo", geoIndex: 0, symbol: "pin",
        symbolSize: 30, zlevel: 3, itemStyle: { color: "#1565c0" },
        data: state.picked ? [{ name: "", value: state.picked }] : [], silent: true
      });
      return list;
    }

    function visualMap() {
      var values = heatData(state.heat).map(function (h) { return h[2]; });
      if (!values.length) { return []; }
      return [{
        type: "continuous", seriesIndex: 1, min: 0, max: Math.max.apply(null, values.concat([1])),
        calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
        inRange: { color: ["#fff59d", "#ffb74d", "#e53935"] }
      }];
    }

    function draw() {
      // notMerge: the heatmap and its visual map come and go with the data.
      chart.setOption({
        animation: false,
        tooltip: { trigger: "item", renderMode: "richText" },
        geo: {
          map: mapName, roam: true, aspectScale: 0.92, // cos(23°): a degree east is shorter than one north
          label: { show: false }, selectedMode: false, regions: state.regions,
          itemStyle: STYLE.grid, emphasis: { itemStyle: { areaColor: "rgba(144,202,249,0.5)" }, label: { show: false } },
          tooltip: { show: true, formatter: function (p) { return titles[p.name] || p.name; } }
        },
        visualMap: visualMap(),
        series: series()
      }, { notMerge: true });
    }

    var ready = window.fetch(options.outlines, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("outlines: HTTP " + response.status); }
        return response.json();
      })
      .then(function (collection) {
        var prepared = prepare(collection);
        prepared.map.features.forEach(function (f) { titles[f.properties.name] = f.properties.title; });
        window.echarts.registerMap(mapName, prepared.map);
        state.regions = prepared.regions;
        draw();
        state.drawn = true;
        element.setAttribute("data-drawn", "true");
        element.setAttribute("data-outlines-count", String(prepared.map.features.length));
        return chart;
      });

    chart.on("click", function (params) {
      if (params.seriesId === "points" && params.data && params.data.href) {
        window.location.assign(params.data.href);
      }
    });
    if (typeof options.onPick === "function") {
      chart.getZr().on("click", function (event) {
        if (!state.drawn) { return; }
        var lonLat = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]);
        if (!lonLat || !isFinite(lonLat[0]) || !isFinite(lonLat[1])) { return; }
        var lon = Math.round(lonLat[0] * 1e6) / 1e6;
        var lat = Math.round(lonLat[1] * 1e6) / 1e6;
        handle.pick(lon, lat);
        options.onPick(lon, lat);
      });
    }
    var resize = function () { chart.resize(); };
    window.addEventListener("resize", resize);

    var handle = {
      chart: chart,
      ready: ready,
      setPoints: function (points) { state.points = points || []; if (state.drawn) { draw(); } },
      setHeat: function (heat) { state.heat = heat || []; if (state.drawn) { draw(); } },
      pick: function (lon, lat) {
        state.picked = [lon, lat];
        element.setAttribute("data-picked", lon + "," + lat);
        if (state.drawn) { draw(); }
      },
      dispose: function () { window.removeEventListener("resize", resize); chart.dispose(); }
    };
    return handle;
  }

  function jsonOf(id) {
    var node = id && document.getElementById(id);
    return node ? JSON.parse(node.textContent) : [];
  }

  function fromMarkup(element) {
    var lonInput = document.getElementById(element.getAttribute("data-pick-lon") || "");
    var latInput = document.getElementById(element.getAttribute("data-pick-lat") || "");
    var options = {
      outlines: element.getAttribute("data-outlines"),
      points: jsonOf(element.getAttribute("data-points")),
      heat: jsonOf(element.getAttribute("data-heat"))
    };
    if (lonInput && latInput) {
      options.onPick = function (lon, lat) {
        lonInput.value = String(lon);
        latInput.value = String(lat);
        lonInput.dispatchEvent(new Event("change", { bubbles: true }));
        latInput.dispatchEvent(new Event("change", { bubbles: true }));
      };
    }
    var handle = render(element, options);
    // The inputs' own values (typed, given by the browser's position, or kept by a page sent
    // back with errors) put the pin where they say.
    var pinTyped = function () {
      if (!lonInput.value.trim() || !latInput.value.trim()) { return; }
      var lon = Number(lonInput.value), lat = Number(latInput.value);
      var picked = element.getAttribute("data-picked");
      if (!isFinite(lon) || !isFinite(lat) || picked === lon + "," + lat) { return; }
      handle.pick(lon, lat);
    };
    if (lonInput && latInput) {
      pinTyped();
      lonInput.addEventListener("change", pinTyped);
      latInput.addEventListener("change", pinTyped);
    }
    handle.ready.catch(function () { element.setAttribute("data-drawn", "failed"); });
    return handle;
  }

  window.OneWindowGridMap = { render: render, fromMarkup: fromMarkup, LIGHTS: LIGHTS };

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-gridmap]").forEach(fromMarkup);
  });
})();
