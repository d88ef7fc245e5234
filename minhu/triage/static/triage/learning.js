// 分拨学习报告: weekly agreement between triage and the dispatchers (two lines, %).
(() => {
  function draw() {
    const box = document.getElementById("chart-agreement");
    const source = document.getElementById("agreement-chart");
    if (!box || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(box);
    const line = (name, values) => ({name, type: "line", connectNulls: true, data: values});
    chart.setOption({
      tooltip: {trigger: "axis", valueFormatter: (v) => (v == null ? "—" : v + "%")},
      legend: {bottom: 0},
      grid: {left: 44, right: 16, top: 16, bottom: 48},
      xAxis: {type: "category", data: data.weeks},
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
      series: [line(data.names.category, data.category), line(data.names.unit, data.unit)],
    });
    if (!data.weeks.length) {
      chart.setOption({graphic: {type: "text", left: "center", top: "middle",
        style: {text: box.dataset.empty || "—", fill: "#888"}}});
    }
    window.addEventListener("resize", () => chart.resize());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
