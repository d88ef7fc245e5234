// Dispatcher desk and supervisor board: unit pickers, keyboard moves, filters, charts.
(() => {
  "use strict";

  // --- Unit pickers: search by name or code (htmx fills the results), click to choose.
  function choose(picker, code, name) {
    const chips = picker.querySelector(".chips");
    if (!picker.dataset.multi) chips.innerHTML = "";
    if (chips.querySelector(`[data-code="${CSS.escape(code)}"]`)) return;
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.dataset.code = code;
    chip.append(name);
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.dataset.name;
    input.value = code;
    const x = document.createElement("button");
    x.type = "button";
    x.className = "x";
    x.title = picker.dataset.remove || "×";
    x.textContent = "×";
    chip.append(input, x);
    chips.append(chip);
  }

  document.addEventListener("click", (ev) => {
    const pick = ev.target.closest(".pick");
    if (pick) {
      const picker = pick.closest(".picker");
      choose(picker, pick.dataset.code, pick.dataset.name);
      const q = picker.querySelector(".picker-q");
      q.value = "";
      picker.querySelector(".picker-results").innerHTML = "";
      q.focus();
      return;
    }
    const x = ev.target.closest(".chip .x");
    if (x) x.closest(".chip").remove();
  });

  document.addEventListener("keydown", (ev) => {
    const q = ev.target.closest && ev.target.closest(".picker-q");
    if (q && ev.key === "Enter") {
      // Enter chooses the first result instead of submitting the form half-filled.
      ev.preventDefault();
      const first = q.closest(".picker").querySelector(".pick");
      if (first) first.click();
    }
  });

  // A required picker left empty: say so here instead of sending a half-filled form.
  document.addEventListener("submit", (ev) => {
    const empty = Array.from(ev.target.querySelectorAll(".picker[data-required]"))
      .find((p) => !p.querySelector(".chips input"));
    if (!empty) return;
    ev.preventDefault();
    ev.stopPropagation();
    const flash = document.getElementById("flash");
    if (flash) {
      flash.innerHTML = "";
      const box = document.createElement("div");
      box.className = "flash error";
      box.setAttribute("role", "alert");
      box.textContent = `${empty.dataset.missing}：${empty.querySelector(".picker-label").textContent}`;
      flash.append(box);
      flash.scrollIntoView({block: "nearest"});
    }
    empty.querySelector(".picker-q").focus();
  }, true);

  // --- A refusal comes back into the message area at the top: make sure it is seen.
  document.addEventListener("htmx:afterSwap", (ev) => {
    if (ev.detail.target && ev.detail.target.id === "flash") {
      ev.detail.target.scrollIntoView({block: "nearest"});
    }
  });

  // --- Filters submit as soon as they change.
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (el.closest(".desk-filter") && (el.tagName === "SELECT" || el.type === "checkbox")) {
      el.form.submit();
    }
  });

  // --- Keyboard: j / k move in the list, d acts on the suggestion, / searches.
  function typing(el) {
    return el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  }

  function rows() {
    return Array.from(document.querySelectorAll("#queue .q-row"));
  }

  function select(row) {
    rows().forEach((r) => r.classList.toggle("selected", r === row));
    row.scrollIntoView({block: "nearest"});
    row.focus({preventScroll: true});
  }

  document.addEventListener("click", (ev) => {
    const row = ev.target.closest("#queue .q-row");
    if (row && !ev.target.closest("a")) select(row);
  });

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    const list = rows();
    if (ev.key === "j" || ev.key === "k") {
      if (!list.length) return;
      const at = list.findIndex((r) => r.classList.contains("selected"));
      const to = ev.key === "j" ? Math.min(at + 1, list.length - 1) : Math.max(at - 1, 0);
      if (to !== at || at < 0) {
        const row = list[at < 0 ? 0 : to];
        select(row);
        row.click();
      }
      ev.preventDefault();
    } else if (ev.key === "d") {
      const form = document.querySelector('#panel form[data-key="d"]');
      if (form) {
        const button = form.querySelector("button.primary") || form.querySelector("button");
        if (button) button.click();
        ev.preventDefault();
      }
    } else if (ev.key === "/") {
      const search = document.getElementById("desk-q");
      if (search) {
        search.focus();
        search.select();
        ev.preventDefault();
      }
    } else if (ev.key === "Enter" && ev.target.classList && ev.target.classList.contains("q-row")) {
      ev.target.click();
    }
  });

  // --- Supervisor board charts (ECharts, loaded on that page only).
  function charts() {
    const data = document.getElementById("board-data");
    if (!data || !window.echarts) return;
    const {units, trend, labels} = JSON.parse(data.textContent);
    const count = (n) => labels.count.replace("%(n)s", n);
    const made = [];
    const unitsBox = document.getElementById("chart-units");
    if (unitsBox) {
      // One bar line per unit: the box grows with the number of units shown.
      unitsBox.style.height = `${Math.max(160, 60 + units.names.length * 24)}px`;
      const chart = echarts.init(unitsBox);
      const names = units.names.slice().reverse();
      chart.setOption({
        animation: false,
        grid: {left: 8, right: 28, top: 24, bottom: 8, containLabel: true},
        legend: {top: 0, right: 0, data: [labels.overdue, labels.yellow]},
        tooltip: {trigger: "axis", axisPointer: {type: "shadow"},
                  formatter: (ps) => units.full[units.names.length - 1 - ps[0].dataIndex] + "<br>"
                    + ps.map((p) => `${p.marker}${p.seriesName} ${count(p.value)}`).join("<br>")},
        xAxis: {type: "value", minInterval: 1},
        yAxis: {type: "category", data: names, axisLabel: {width: 110, overflow: "truncate"}},
        series: [
          {name: labels.overdue, type: "bar", stack: "n", barMaxWidth: 18, itemStyle: {color: "#d64545"},
           label: {show: true, position: "insideRight", color: "#fff"},
           data: units.overdue.slice().reverse()},
          {name: labels.yellow, type: "bar", stack: "n", barMaxWidth: 18, itemStyle: {color: "#e8a317"},
           data: units.yellow.slice().reverse()},
        ],
      });
      if (!units.names.length) {
        chart.setOption({graphic: {type: "text", left: "center", top: "middle",
                                   style: {text: labels.none, fill: "#9aa5b1", fontSize: 14}}});
      }
      made.push(chart);
    }
    const trendBox = document.getElementById("chart-trend");
    if (trendBox) {
      const chart = echarts.init(trendBox);
      chart.setOption({
        animation: false,
        grid: {left: 8, right: 12, top: 16, bottom: 4, containLabel: true},
        tooltip: {trigger: "axis", valueFormatter: count},
        xAxis: {type: "category", data: trend.days, boundaryGap: false},
        yAxis: {type: "value", minInterval: 1},
        series: [{name: labels.new, type: "line", smooth: true, areaStyle: {opacity: .15},
                  itemStyle: {color: "#d64545"}, data: trend.counts}],
      });
      made.push(chart);
    }
    window.addEventListener("resize", () => made.forEach((c) => c.resize()));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", charts);
  } else {
    charts();
  }
})();
