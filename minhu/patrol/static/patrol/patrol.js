// Patrol report form: photo previews, the "current location" choice (browser
// geolocation), the note box shown only when solved on the spot, and one submit only.
(() => {
  "use strict";
  const form = () => document.getElementById("patrol-form");

  function locate(f) {
    const status = f.querySelector("[data-geo-status]");
    if (!navigator.geolocation) {
      status.textContent = "此设备不支持定位，请从列表中选择地点";
      return;
    }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition((pos) => {
      f.querySelector("[data-lat]").value = pos.coords.latitude.toFixed(6);
      f.querySelector("[data-lng]").value = pos.coords.longitude.toFixed(6);
      status.textContent = `已定位（精度约 ${Math.round(pos.coords.accuracy)} 米）`;
    }, () => {
      status.textContent = "未能定位，请允许定位权限或从列表中选择地点";
    }, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
  }

  document.addEventListener("change", (e) => {
    const f = form();
    if (!f || e.target.form !== f) return;
    if (e.target.name === "place" && e.target.value === "here") locate(f);
    if (e.target.matches("[data-spot]")) {
      const note = f.querySelector("[data-spot-note]");
      note.hidden = !e.target.checked;
      if (e.target.checked) note.querySelector("textarea").focus();
    }
    if (e.target.type === "file") {
      const box = f.querySelector("[data-thumbs]");
      box.innerHTML = "";
      for (const file of Array.from(e.target.files).slice(0, 12)) {
        const img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        box.appendChild(img);
      }
    }
  });

  document.addEventListener("submit", (e) => {
    const f = form();
    if (e.target !== f) return;
    const button = f.querySelector("button[type=submit]");
    if (f.dataset.sent) { e.preventDefault(); return; }  // one tap, one report
    f.dataset.sent = "1";
    button.disabled = true;
    button.textContent = "正在上报…";
  });
})();
