// Perks pages: small enhancements only; every page works without this file.
(function () {
  "use strict";

  // "Copy" buttons next to share links: hidden without JavaScript, where people copy by hand.
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input || !navigator.clipboard) {
      return;
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      });
    });
  });

  // Clicking a read-only link field selects the whole link, ready to copy.
  document.querySelectorAll("input[data-share-url]").forEach(function (input) {
    input.addEventListener("focus", function () {
      input.select();
    });
  });
})();
