/* Donate form, progressive enhancement only (the form works without it):
   typing an amount ticks "Other amount"; choosing a preset clears the typed amount. */
(function () {
  "use strict";
  var form = document.querySelector("form.donate-form");
  if (!form) return;
  /* After a refused submission, start where the first problem is. */
  var invalid = form.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();
  var custom = form.querySelector("input[name=custom_amount]");
  var other = form.querySelector("input[name=amount][value=other]");
  if (!custom || !other) return;
  custom.addEventListener("input", function () {
    if (custom.value.trim() !== "") other.checked = true;
  });
  form.querySelectorAll("input[name=amount]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.checked && radio !== other) custom.value = "";
      if (radio.checked && radio === other) custom.focus();
    });
  });
  /* One submission per click: the idempotency key already makes a repeat harmless. */
  var button = form.querySelector("button[type=submit]");
  if (!button) return;
  form.addEventListener("submit", function () {
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
  /* Coming back with the browser's Back button restores the page as it was left. */
  window.addEventListener("pageshow", function () { button.disabled = false; });
})();
