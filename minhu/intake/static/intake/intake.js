// 渠道接入 overview: the stacked daily chart of orders per channel.
(() => {
  function draw() {
    const box = document.getElementById("chart-channels");
    const source = document.getElementById("intake-chart");
    if (!box || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(box);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {type: "scroll", bottom: 0},
      grid: {left: 40, right: 16, top: 16, bottom: 48},
      xAxis: {type: "category", data: data.days},
      yAxis: {type: "value", minInterval: 1},
      series: data.series.map((s) => ({name: s.name, type: "bar", stack: "all", data: s.data})),
    });
    if (!data.series.length) {
      chart.setOption({graphic: {type: "text", left: "center", top: "middle",
        style: {text: box.dataset.empty || "—", fill: "#888"}}});
    }
    window.addEventListener("resize", () => chart.resize());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
