// Keyboard-first helpers for the agent console (话务台) and the callback desk (回访台).
//
// Agent console: Ctrl+Enter registers, Ctrl+Shift+Enter answers directly, Esc clears (a
// second Esc when the form holds text), Alt+1…6 picks the request type and Alt+7…0 the
// urgency; the address and category fields are comboboxes whose options come from the
// server (htmx) and are chosen with ↑ ↓ Enter or the mouse.
// Callback desk: Ctrl+Enter submits the outcome form ([data-ctrl-enter]).
(() => {
  "use strict";

  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const intake = () => document.getElementById("intake-form");

  // --- Comboboxes (address, category) ------------------------------------------------

  const options = (list) => $$('li[role="option"]', list);

  function openList(combo, open) {
    const input = $("[data-combo-input]", combo);
    const list = $(".combo-list", combo);
    list.classList.toggle("open", open && list.children.length > 0);
    input.setAttribute("aria-expanded", list.classList.contains("open") ? "true" : "false");
    if (!open) input.removeAttribute("aria-activedescendant");
  }

  function activate(combo, option) {
    const input = $("[data-combo-input]", combo);
    for (const o of options($(".combo-list", combo))) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
    }
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({block: "nearest"});
    }
  }

  function choose(combo, option) {
    const input = $("[data-combo-input]", combo);
    for (const attr of option.attributes) {
      if (!attr.name.startsWith("data-fill-")) continue;
      const field = $(`[data-combo-field="${attr.name.slice(10)}"]`, combo);
      if (field) field.value = attr.value;
    }
    input.value = option.dataset.label || "";
    combo.dataset.chosen = input.value;
    const chip = $("[data-combo-chip]", combo);
    if (chip) {
      chip.textContent = option.dataset.chip || "";
      chip.hidden = !option.dataset.chip;
    }
    openList(combo, false);
    combo.classList.remove("invalid");
    if (combo.dataset.combo === "place") showRelated();
  }

  function unchoose(combo) {
    for (const f of $$("[data-combo-field]", combo)) f.value = "";
    delete combo.dataset.chosen;
    const chip = $("[data-combo-chip]", combo);
    if (chip) { chip.textContent = ""; chip.hidden = true; }
  }

  // Open orders near the chosen place, and whether the caller is among them.
  function showRelated() {
    const form = intake();
    if (!form || !window.htmx) return;
    const values = {
      place_id: form.elements.place_id.value,
      community: form.elements.community.value,
      citizen_phone: form.elements.citizen_phone.value,
    };
    const url = form.dataset.relatedUrl || "/agent/related/";
    htmx.ajax("GET", url, {target: "#related-panel", values});
  }

  document.addEventListener("htmx:afterSwap", (e) => {
    const list = e.detail.target;
    if (!list.classList || !list.classList.contains("combo-list")) return;
    const combo = list.closest("[data-combo]");
    const input = $("[data-combo-input]", combo);
    openList(combo, document.activeElement === input);
    const first = options(list)[0];
    if (first) activate(combo, first);
  });

  document.addEventListener("input", (e) => {
    const input = e.target.closest("[data-combo-input]");
    if (!input) return;
    const combo = input.closest("[data-combo]");
    // Adding detail after a chosen place ("3单元502") keeps it; changing it drops it.
    const chosen = combo.dataset.chosen;
    if (chosen !== undefined && !input.value.startsWith(chosen)) unchoose(combo);
    if (!input.value.trim() && combo.dataset.combo !== "category") openList(combo, false);
  });

  document.addEventListener("keydown", (e) => {
    const input = e.target.closest && e.target.closest("[data-combo-input]");
    if (!input) return;
    const combo = input.closest("[data-combo]");
    const list = $(".combo-list", combo);
    const opts = options(list);
    const open = list.classList.contains("open");
    const current = opts.findIndex((o) => o.getAttribute("aria-selected") === "true");
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!opts.length) return;
      e.preventDefault();
      if (!open) { openList(combo, true); return; }
      const step = e.key === "ArrowDown" ? 1 : -1;
      activate(combo, opts[(current + step + opts.length) % opts.length]);
    } else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey && open && current >= 0) {
      e.preventDefault();
      choose(combo, opts[current]);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();  // closing the list is all this Esc does
      openList(combo, false);
    }
  });

  document.addEventListener("mousedown", (e) => {
    const option = e.target.closest('.combo-list li[role="option"]');
    if (!option) return;
    e.preventDefault();  // keep the focus in the input
    choose(option.closest("[data-combo]"), option);
  });

  document.addEventListener("focusout", (e) => {
    const input = e.target.closest && e.target.closest("[data-combo-input]");
    if (input) setTimeout(() => openList(input.closest("[data-combo]"), false), 120);
  });

  // --- The intake form ---------------------------------------------------------------

  function syncType(form) {
    const checked = $('input[name="request_type"]:checked', form);
    if (!checked) return;
    form.dataset.direct = checked.dataset.direct;
    const box = $("[data-confidential-box]", form);
    if (box && checked.dataset.confidential === "1") box.checked = true;
  }

  function hasText(form) {
    return $$("input[type=tel], input:not([type]), textarea", form)
      .some((el) => el.value.trim() !== "");
  }

  function clearForm(form) {
    for (const el of $$("input, textarea", form)) {
      if (el.name === "csrfmiddlewaretoken" || el.name === "intake_key") continue;
      if (el.type === "radio") el.checked = false;
      else if (el.type === "checkbox") el.checked = false;
      else el.value = "";
    }
    // Back to the defaults: 咨询, 一般.
    for (const name of ["request_type", "urgency"]) {
      const def = form.dataset[name === "urgency" ? "defaultUrgency" : "defaultType"];
      const radio = $(`input[name="${name}"][value="${def}"]`, form) ||
        $(`input[name="${name}"]`, form);
      if (radio) radio.checked = true;
    }
    for (const combo of $$("[data-combo]", form)) { unchoose(combo); openList(combo, false); }
    for (const el of $$(".field-error, .done-banner, .flash", form)) el.remove();
    const linked = $("[data-cti-linked]", form);
    if (linked) linked.hidden = true;
    for (const el of $$(".invalid", form)) el.classList.remove("invalid");
    const ent = $(".enterprise-name", form);
    if (ent) ent.hidden = true;
    syncType(form);
    updateCounter(form);
    for (const [id, html] of emptyPanels) {
      const panel = document.getElementById(id);
      if (panel) panel.innerHTML = html;
    }
    form.elements.citizen_phone.focus();
  }

  function updateCounter(form) {
    const counter = $("[data-counter-for]", form);
    const area = counter && document.getElementById(counter.dataset.counterFor);
    if (area) {
      counter.textContent = `${area.value.length}/5000`;
      counter.classList.toggle("over", area.value.length > 5000);
    }
  }

  document.addEventListener("change", (e) => {
    const form = e.target.form;
    if (!form || form.id !== "intake-form") return;
    if (e.target.name === "request_type") syncType(form);
    if (e.target.matches("[data-enterprise-box]")) {
      const ent = $(".enterprise-name", form);
      ent.hidden = !e.target.checked;
      if (e.target.checked) ent.focus();
    }
  });

  document.addEventListener("input", (e) => {
    if (e.target.id === "in-content") updateCounter(e.target.form);
  });

  document.addEventListener("click", (e) => {
    if (e.target.closest("[data-clear]")) clearForm(intake());
  });

  let escArmed = 0;
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented) return;
    const form = intake();
    // Ctrl+Enter submits whichever desk form has the focus (or the intake form).
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      const here = e.target.closest && e.target.closest("form[data-ctrl-enter], #intake-form");
      const target = here || form || $("form[data-ctrl-enter]");
      if (!target) return;
      e.preventDefault();
      let button = $("button.primary", target);
      if (target === form && e.shiftKey && form.dataset.direct === "1") {
        button = $('[data-submit="answer"]', form);
      }
      if (button && !button.disabled) button.click();  // click: htmx sends the button's value
      return;
    }
    if (!form) return;
    if (e.key === "Escape") {
      const hint = $("[data-esc-hint]", form);
      if (hasText(form) && Date.now() - escArmed > 1500) {
        escArmed = Date.now();
        if (hint) { hint.hidden = false; setTimeout(() => { hint.hidden = true; }, 1500); }
        return;
      }
      escArmed = 0;
      if (hint) hint.hidden = true;
      clearForm(form);
      return;
    }
    // Enter moves to the next field (as in most data-entry software) instead of
    // submitting half a call; textareas keep Enter for new lines.
    if (e.key === "Enter" && !e.altKey && !e.shiftKey && e.target.form === form &&
        e.target.tagName === "INPUT" && e.target.type !== "submit") {
      e.preventDefault();
      const fields = $$("input:not([type=hidden]):not([hidden]), textarea, button", form)
        .filter((el) => !el.disabled && el.offsetParent !== null &&
          (el.type !== "radio" || el.checked));
      const next = fields[fields.indexOf(e.target) + 1];
      if (next) next.focus();
      return;
    }
    const digit = /^Digit([0-9])$/.exec(e.code || "");
    if (e.altKey && !e.ctrlKey && !e.metaKey && digit) {
      const radio = $(`input[type=radio][data-key="${digit[1]}"]`, form);
      if (radio) {
        e.preventDefault();
        radio.checked = true;
        radio.dispatchEvent(new Event("change", {bubbles: true}));
      }
    }
  });

  // --- The CTI pop (来电弹屏) -----------------------------------------------------------
  // "新建登记" starts a registration for the ringing call without leaving the page: the
  // caller's number goes into the form (which looks up their history) and the call id
  // into a hidden field, so the order keeps it. Without scripts the link does the same
  // through the server (/agent/?call=<id>).

  document.addEventListener("click", (e) => {
    const start = e.target.closest && e.target.closest("[data-cti-start]");
    const form = intake();
    if (!start || !form) return;
    e.preventDefault();
    const phone = form.elements.citizen_phone;
    phone.value = start.dataset.caller || "";
    form.elements.cti_call_id.value = start.dataset.callId;
    const linked = $("[data-cti-linked]", form);
    if (linked) {
      $("[data-cti-linked-id]", linked).textContent = start.dataset.callId;
      linked.hidden = false;
    }
    phone.dispatchEvent(new Event("input", {bubbles: true}));  // the caller's history
    form.elements.citizen_name.focus();
  });

  // Remember each panel's empty state so clearing the form can restore it.
  const emptyPanels = new Map();
  document.addEventListener("DOMContentLoaded", () => {
    for (const id of ["caller-panel", "related-panel"]) {
      const panel = document.getElementById(id);
      if (panel) emptyPanels.set(id, panel.innerHTML);
    }
    const form = intake();
    if (form) { syncType(form); updateCounter(form); }
  });
})();
