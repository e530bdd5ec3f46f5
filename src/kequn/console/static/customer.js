// AUM history chart on the customer 360 page (ECharts, vendored).
(function () {
  var el = document.getElementById("aum-chart");
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.dataset.series);
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 70, right: 16, top: 16, bottom: 30 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value" },
    series: [{ type: "line", data: data.aum, showSymbol: false, areaStyle: { opacity: 0.15 } }],
  });
  el.dataset.rendered = "true";
  window.addEventListener("resize", function () { chart.resize(); });
})();
