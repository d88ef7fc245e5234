// 分类模型版本: held-out accuracy of each version (one line per figure).
(() => {
  function draw() {
    const box = document.getElementById("chart-versions");
    const source = document.getElementById("versions-chart");
    if (!box || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(box);
    const names = Object.keys(data.series);
    chart.setOption({
      tooltip: {trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + "%")},
      legend: {bottom: 0},
      grid: {left: 44, right: 24, top: 20, bottom: 48},
      xAxis: {type: "category", data: data.versions},
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
      series: names.map((name) => ({name, type: "line", data: data.series[name], connectNulls: true})),
    });
    if (!data.versions.length) {
      chart.setOption({graphic: {type: "text", left: "center", top: "middle",
        style: {text: box.dataset.empty || "—", fill: "#888"}}});
    }
    window.addEventListener("resize", () => chart.resize());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
