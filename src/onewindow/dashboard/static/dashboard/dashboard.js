// The manager's dashboard: each chart drawn with the vendored ECharts from the JSON the page
// carries beside it (json_script; no inline script under the Content-Security-Policy). The
// table under each chart holds the same figures for anyone without scripts or sight.
(function () {
  "use strict";
  // The lights of the board; the five rating levels from green (非常满意) to red.
  var LIGHT_COLOURS = {
    red: "#c62828", yellow: "#f9a825",
    level5: "#2e7d32", level4: "#7cb342", level3: "#c0ca33", level2: "#fb8c00", level1: "#c62828"
  };

  function options(data) {
    // Tooltips drawn on the canvas (richText): no HTML with style attributes, which the
    // policy would refuse.
    var tooltip = { trigger: data.kind === "heatmap" ? "item" : "axis", renderMode: "richText" };
    if (data.kind === "heatmap") {
      return {
        animation: false,
        tooltip: tooltip,
        grid: { left: 90, right: 20, top: 10, bottom: 90 },
        xAxis: { type: "category", data: data.hours, splitArea: { show: true } },
        // Monday at the top, as the table reads.
        yAxis: { type: "category", data: data.days, inverse: true, splitArea: { show: true } },
        visualMap: {
          min: 0, max: data.max, calculable: true, orient: "horizontal", left: "center",
          bottom: 0, itemHeight: 160
        },
        series: [{ type: "heatmap", data: data.cells, label: { show: false } }]
      };
    }
    var horizontal = data.kind === "bars" || data.kind === "stacked";
    var category = { type: "category", data: data.categories };
    var value = { type: "value", minInterval: 1 };
    return {
      animation: false,
      tooltip: tooltip,
      legend: { top: 0 },
      grid: { left: horizontal ? 160 : 50, right: 20, top: 40, bottom: 30 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? Object.assign({ inverse: true }, category) : value,
      series: data.series.map(function (s) {
        var one = { name: s.name, type: data.kind === "lines" ? "line" : "bar", data: s.data };
        if (one.type === "bar") { one.barMaxWidth = 36; }
        if (data.kind === "stacked") { one.stack = "open"; one.itemStyle = { color: LIGHT_COLOURS[s.light] }; }
        return one;
      })
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-source"));
      if (!source) { return; }
      var chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(options(JSON.parse(source.textContent)));
      box.setAttribute("data-drawn", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
