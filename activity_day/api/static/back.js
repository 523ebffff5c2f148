// The way back from a refusal page that has no page of its own to return to: the page before it.
(function () {
  "use strict";
  document.querySelectorAll("[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.history.back();
    });
  });
})();
