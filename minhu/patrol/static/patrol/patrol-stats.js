// 主动发现统计: proactive vs citizen-reported orders per area (stacked bars) and the
// proactive share (line, right axis).
(() => {
  function draw() {
    const box = document.getElementById("chart-proactive");
    const source = document.getElementById("proactive-chart");
    if (!box || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(box);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {bottom: 0},
      grid: {left: 44, right: 44, top: 20, bottom: 56},
      xAxis: {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: data.labels.length > 8 ? 30 : 0}},
      yAxis: [{type: "value", minInterval: 1}, {type: "value", max: 100, axisLabel: {formatter: "{value}%"}}],
      series: [
        {name: data.names.proactive, type: "bar", stack: "all", data: data.proactive, itemStyle: {color: "#2f9e5b"}},
        {name: data.names.citizen, type: "bar", stack: "all", data: data.citizen, itemStyle: {color: "#9fb3c8"}},
        {name: data.names.share, type: "line", yAxisIndex: 1, data: data.share, itemStyle: {color: "#2463eb"}},
      ],
    });
    const total = data.proactive.concat(data.citizen).reduce((a, b) => a + b, 0);
    if (!total) {
      chart.setOption({graphic: {type: "text", left: "center", top: "middle",
        style: {text: box.dataset.empty || "—", fill: "#888"}}});
    }
    window.addEventListener("resize", () => chart.resize());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
