// Unit inbox and order search: small helpers on top of htmx.
(() => {
  // Blunt phrases that read as brushing the citizen or the dispatcher off. Only a hint:
  // the form is never blocked.
  const BLUNT = ["不归我们管", "不关我们的事", "不是我们的事", "乱派", "瞎派", "别派", "找别人",
    "不归我管", "与我无关", "管不了"];

  document.addEventListener("click", (e) => {
    const close = e.target.closest("[data-close-panel]");
    if (close) {
      const panel = close.closest(".ic-panel");
      if (panel) panel.innerHTML = "";
    }
  });

  document.addEventListener("input", (e) => {
    const box = e.target.closest("textarea[data-gentle]");
    if (!box) return;
    const note = box.closest("form").querySelector(".gentle");
    if (note) note.hidden = !BLUNT.some((w) => box.value.includes(w));
  });

  // A refused action answers in the message area at the top: bring it into view (on a
  // phone the form that was sent may be far down the list).
  document.addEventListener("htmx:afterSwap", (e) => {
    const target = e.detail.target;
    if (target && target.id === "flash" && target.firstElementChild) {
      target.scrollIntoView({behavior: "smooth", block: "start"});
    }
    if (target && target.classList.contains("ic-panel")) {
      const first = target.querySelector("textarea, select, input:not([type=hidden])");
      if (first) first.focus({preventScroll: false});
    }
  });

  // Saving the current search: ask for a name when the field is left empty.
  document.addEventListener("submit", (e) => {
    const form = e.target.closest("form.save-form");
    if (!form) return;
    const name = form.querySelector("input[name=name]");
    if (name && !name.value.trim()) {
      const ask = document.documentElement.lang === "en" ? "Name this search:" : "给这个查询起个名字：";
      const given = window.prompt(ask, "");
      if (!given || !given.trim()) { e.preventDefault(); return; }
      name.value = given.trim();
    }
  });
})();
