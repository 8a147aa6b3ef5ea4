// The merchant console's small enhancements. Every page works without this file: the server
// validates everything, and fields hidden here are only the ones the chosen benefit ignores.
(function () {
  "use strict";

  // Promotion form: show trial days and the amount only for the benefits that use them.
  function syncBenefit(select) {
    var value = select.value;
    document.querySelectorAll("[data-benefit-needs]").forEach(function (block) {
      var needs = block.getAttribute("data-benefit-needs").split(" ");
      var hasValue = Array.prototype.some.call(block.querySelectorAll("input"), function (input) {
        return input.value !== "";
      });
      var hasError = block.querySelector(".field--invalid") !== null;
      // Never hide a field that holds a value or an error: the merchant must see what is sent.
      block.hidden = needs.indexOf(value) === -1 && !hasValue && !hasError;
    });
  }

  var benefit = document.getElementById("id_benefit_type");
  if (benefit) {
    syncBenefit(benefit);
    benefit.addEventListener("change", function () {
      syncBenefit(benefit);
    });
  }

  // "Unlimited" makes the quantity irrelevant: grey it out while ticked.
  var unlimited = document.getElementById("id_unlimited");
  var quantity = document.getElementById("id_quantity");
  if (unlimited && quantity) {
    var syncQuantity = function () {
      quantity.disabled = unlimited.checked;
    };
    syncQuantity();
    unlimited.addEventListener("change", syncQuantity);
  }

  // Copy buttons (the webhook secret): shown only where the clipboard can be used.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.value).then(function () {
        button.textContent = button.getAttribute("data-copied") || "✓";
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      });
    });
  });

  // The counter: put the cursor in the code box, ready for the scanner.
  var code = document.querySelector(".console-verify-form #id_code");
  if (code && !document.querySelector(".console-quick")) {
    code.focus();
  }
})();
