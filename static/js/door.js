// Mötesplatser: the organiser's attendance pages (attendee list and check-in at the door).
// Every page works without this file.
(function () {
  "use strict";

  // A check-in that a rule stopped (say, the registration was just cancelled) answers 409 with
  // the row as it now is and the reason in the live region: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 409 && form && form.classList && form.classList.contains("check-in-form")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // "Show more" replaced itself with the next participants: continue at the first of them.
  document.addEventListener("htmx:afterSettle", function () {
    var first = document.querySelector("[data-focus]");
    if (first) {
      first.removeAttribute("data-focus");
      first.focus();
    }
  });
})();
