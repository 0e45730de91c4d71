// The manager's bar chart of tickets taken and served by hour (vendored ECharts); the tables
// below it carry the same figures for anyone without scripts.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("hall-chart");
    if (!box || !window.echarts) { return; }
    function numbers(name) { return (box.getAttribute(name) || "").split(",").filter(String).map(Number); }
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: {},
      xAxis: { type: "category", data: numbers("data-hours").map(function (h) { return h + ":00"; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: box.getAttribute("data-label-issued"), type: "bar", data: numbers("data-issued") },
        { name: box.getAttribute("data-label-served"), type: "bar", data: numbers("data-served") }
      ]
    });
  });
})();
