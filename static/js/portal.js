// Mötesplatser: small progressive enhancements on top of htmx. Every page works without this file.
(function () {
  "use strict";

  // After htmx replaces a list of results, keep keyboard focus somewhere sensible: when the
  // element that asked for the update is gone (a pagination link), move focus to the list's
  // heading so that keyboard and screen-reader users continue at the top of the new results.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    // An inline question (such as "Cancel your registration?") replaced the link that had
    // focus: move focus to the question, so that it is read out and answered by keyboard.
    var question = target && target.querySelector && target.querySelector(".confirm [tabindex='-1']");
    if (question) {
      question.focus();
      return;
    }
    if (!target || target.id !== "results") return;
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (trigger && document.body.contains(trigger)) return;
    var heading = document.getElementById("results-heading");
    if (heading) {
      heading.focus({ preventScroll: true });
      heading.scrollIntoView({ block: "start" });
    }
  });
})();

// Copy buttons (hidden without JavaScript, where the address can be selected by hand).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.querySelector(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    });
  });
})();

// A form came back with errors: move focus to the summary, which lists them with links to
// the fields (without JavaScript the summary is still at the top of the form).
(function () {
  "use strict";
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
})();

// A second click on a form's button while the first is on its way would send it twice
// ("Send to 52 people", "Save"): the buttons of a submitted form wait for the answer. The
// server refuses duplicates too; this spares the user the confusing second answer.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
    // After the browser has collected the form's data, including the button that was pressed.
    window.setTimeout(function () {
      form.querySelectorAll("button[type='submit'], button:not([type])").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });
  // Back to a page from the browser's history: its buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form button[disabled]").forEach(function (button) {
      button.disabled = false;
    });
  });
})();
