// Draws the small charts of figures pages from data-series attributes (no inline script: CSP forbids it).
(function () {
  "use strict";
  function draw(el) {
    var data = JSON.parse(el.getAttribute("data-series"));
    var kind = el.getAttribute("data-chart");
    var labels = data.months || data.labels;
    var chart = echarts.init(el, null, { renderer: "svg" });
    var spark = kind === "spark";
    var mini = el.classList.contains("minibar");
    chart.setOption({
      animation: false,
      grid: spark ? { left: 2, right: 2, top: 4, bottom: 2 } : mini ? { left: 4, right: 4, top: 16, bottom: 18 } : { left: 40, right: 8, top: 16, bottom: 24 },
      tooltip: spark || mini ? undefined : { trigger: "axis" },
      xAxis: { type: "category", data: labels, show: !spark, axisLabel: { fontSize: 11 }, axisTick: { show: false } },
      yAxis: { type: "value", show: !spark && !mini, minInterval: 1, axisLabel: { fontSize: 11 } },
      series: [{
        type: spark ? "bar" : "bar", data: data.values, barMaxWidth: 28,
        itemStyle: { color: "#b3261e", borderRadius: [3, 3, 0, 0] },
        label: { show: !spark && data.values.length <= 6, position: "top", fontSize: 11 }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(draw);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
