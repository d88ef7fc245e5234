// The submit form's place picker: search results (htmx) and the pin map (ECharts, loaded
// only when asked for). There are no map tiles: the city's named places are drawn as a
// scatter backdrop, the citizen taps where the problem is, and the nearest place is taken.
(function () {
  "use strict";
  var form = document.getElementById("submit-form");
  if (!form || !document.getElementById("place_id")) { return; }
  var $ = function (id) { return document.getElementById(id); };

  function choose(id, label, lat, lng) {
    $("place_id").value = id || "";
    $("place_label").value = label || "";
    $("lat").value = lat == null ? "" : lat;
    $("lng").value = lng == null ? "" : lng;
    $("place-chosen-text").textContent = label || "";
    $("place-chosen").hidden = !id;
    $("place-finder").hidden = !!id;
  }

  document.addEventListener("click", function (e) {
    var pick = e.target.closest(".pick");
    if (pick) { choose(pick.dataset.placeId, pick.dataset.label); }
  });
  $("place-clear").addEventListener("click", function () { choose("", ""); $("place-q").focus(); });
  $("place-q").addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });

  function loadScript(src, done) {
    if (window.echarts) { done(); return; }
    var s = document.createElement("script");
    s.src = src; s.onload = done; document.head.appendChild(s);
  }

  var toggle = $("map-toggle"), chart = null;
  toggle.addEventListener("click", function () {
    var box = $("pin-map");
    box.hidden = !box.hidden; $("pin-hint").hidden = box.hidden;
    if (box.hidden || chart) { return; }
    loadScript(toggle.dataset.echarts, function () {
      fetch(toggle.dataset.mapUrl).then(function (r) { return r.json(); }).then(function (data) {
        chart = drawMap(box, data.points);
      });
    });
  });

  function drawMap(box, points) {
    var c = window.echarts.init(box);
    c.setOption({
      animation: false,
      grid: { left: 4, right: 4, top: 4, bottom: 4 },
      xAxis: { type: "value", scale: true, show: false },
      yAxis: { type: "value", scale: true, show: false },
      dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }],
      tooltip: { formatter: function (p) { return p.data[2] || ""; } },
      series: [
        { type: "scatter", data: points, symbolSize: 5, itemStyle: { color: "#8a97a8" } },
        { type: "scatter", data: [], symbolSize: 16, itemStyle: { color: "#c8161d" }, z: 5 }
      ]
    });
    c.getZr().on("click", function (e) {
      var at = c.convertFromPixel({ gridIndex: 0 }, [e.offsetX, e.offsetY]);
      if (!at) { return; }
      var lng = Math.round(at[0] * 1e6) / 1e6, lat = Math.round(at[1] * 1e6) / 1e6;
      c.setOption({ series: [{}, { data: [[lng, lat, ""]] }] });
      fetch(toggle.dataset.nearestUrl + "?lat=" + lat + "&lng=" + lng)
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.place) { choose(data.place.id, data.place.name, lat, lng); }
          else { $("pin-hint").textContent = data.message || ""; }
        });
    });
    return c;
  }
})();
