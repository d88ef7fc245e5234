// The order page's small map: the order's point among the places of its area.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("mini-map");
  if (!box || !window.echarts) return;
  const lat = parseFloat(box.dataset.lat), lng = parseFloat(box.dataset.lng);
  const chart = echarts.init(box);
  const pad = 0.02;
  fetch(`/places/near/?lat=${lat}&lng=${lng}`).then(r => r.ok ? r.json() : {places: []})
    .catch(() => ({places: []})).then(({places}) => {
      chart.setOption({
        animation: false,
        grid: {left: 4, right: 4, top: 4, bottom: 4},
        xAxis: {min: lng - pad, max: lng + pad, show: false},
        yAxis: {min: lat - pad, max: lat + pad, show: false},
        tooltip: {formatter: p => p.data[2]},
        series: [
          {type: "scatter", symbolSize: 6, itemStyle: {color: "#9aa5b1"},
           data: places.map(p => [p.lng, p.lat, p.name])},
          {type: "effectScatter", symbolSize: 14, itemStyle: {color: "#d64545"},
           data: [[lng, lat, box.dataset.name
                   || (document.documentElement.lang === "en" ? "Reported place" : "诉求地点")]]},
        ],
      });
    });
  window.addEventListener("resize", () => chart.resize());
});
