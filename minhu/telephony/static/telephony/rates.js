// 话务接通率: calls offered and answered per day (bars) and the answer rate (line).
(() => {
  function draw() {
    const box = document.getElementById("chart-rate");
    const source = document.getElementById("rate-chart");
    if (!box || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(box);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {bottom: 0},
      grid: {left: 44, right: 48, top: 20, bottom: 48},
      xAxis: {type: "category", data: data.days},
      yAxis: [{type: "value", minInterval: 1}, {type: "value", min: 0, max: 100,
        axisLabel: {formatter: "{value}%"}}],
      series: [
        {name: data.names.offered, type: "bar", data: data.offered, itemStyle: {color: "#9fb3c8"}},
        {name: data.names.answered, type: "bar", data: data.answered, itemStyle: {color: "#2f9e5b"}},
        {name: data.names.rate, type: "line", yAxisIndex: 1, data: data.rate, connectNulls: false,
          itemStyle: {color: "#2463eb"}},
      ],
    });
    if (!data.offered.some((n) => n > 0)) {
      chart.setOption({graphic: {type: "text", left: "center", top: "middle",
        style: {text: box.dataset.empty || "—", fill: "#888"}}});
    }
    window.addEventListener("resize", () => chart.resize());
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
