/* CAIAC Lab: the little behaviour the pages need. No inline scripts anywhere (CSP):
   behaviour is attached here through data-* attributes. Every action also works without it. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // <select data-autosubmit>: submit its form on change (the language switch).
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
        if (target.form.requestSubmit) { target.form.requestSubmit(); } else { target.form.submit(); }
      }
    });
    // <input data-select-on-focus>: select the whole value (links to copy).
    document.addEventListener("focusin", function (event) {
      var target = event.target;
      if (target.matches && target.matches("input[data-select-on-focus]")) { target.select(); }
    });
    // <button data-copy="#input-id">: copy that field's value to the clipboard.
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-copy]");
      if (!button) { return; }
      var field = document.querySelector(button.getAttribute("data-copy"));
      if (field && navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(function () {
          var done = button.getAttribute("data-copied");
          if (done) { button.textContent = done; }
        });
      }
    });
    // Only one confirmation panel open at a time.
    document.addEventListener("toggle", function (event) {
      var details = event.target;
      if (details.matches && details.matches("details.confirm") && details.open) {
        document.querySelectorAll("details.confirm[open]").forEach(function (other) {
          if (other !== details) { other.open = false; }
        });
      }
    }, true);
  });
})();
