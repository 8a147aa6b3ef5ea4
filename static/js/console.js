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

  // The counter: scan the customer's QR code with the phone's camera, where the browser can
  // read QR codes itself (BarcodeDetector, as Chrome on Android). Elsewhere the button stays
  // hidden and the code is typed, or read by a handheld scanner into the box.
  var scan = document.querySelector("[data-scan]");
  if (scan && "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    var scanForm = scan.closest("form");
    var scanInput = scanForm.querySelector("#id_code");
    var view = scan.querySelector("[data-scan-view]");
    var video = scan.querySelector("[data-scan-video]");
    var startButton = scan.querySelector("[data-scan-start]");
    var scanError = scan.querySelector("[data-scan-error]");
    var stream = null;
    var timer = null;
    var stopScan = function () {
      window.clearTimeout(timer);
      if (stream) {
        stream.getTracks().forEach(function (track) {
          track.stop();
        });
      }
      stream = null;
      view.hidden = true;
      startButton.hidden = false;
    };
    var fail = function () {
      stopScan();
      scanError.hidden = false;
      scanInput.focus();
    };
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) {
        return;
      }
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      scan.hidden = false;
      var look = function () {
        detector
          .detect(video)
          .then(function (codes) {
            if (codes.length && codes[0].rawValue) {
              scanInput.value = codes[0].rawValue;
              stopScan();
              scanForm.requestSubmit ? scanForm.requestSubmit() : scanForm.submit();
              return;
            }
            timer = window.setTimeout(look, 250);
          })
          .catch(function () {
            timer = window.setTimeout(look, 250);
          });
      };
      startButton.addEventListener("click", function () {
        scanError.hidden = true;
        navigator.mediaDevices
          .getUserMedia({ video: { facingMode: "environment" }, audio: false })
          .then(function (media) {
            stream = media;
            video.srcObject = media;
            view.hidden = false;
            startButton.hidden = true;
            return video.play().then(look);
          })
          .catch(fail);
      });
      scan.querySelector("[data-scan-stop]").addEventListener("click", function () {
        stopScan();
        scanInput.focus();
      });
      window.addEventListener("pagehide", stopScan);
    });
  }

  // The counter: put the cursor in the code box, ready for the scanner.
  var code = document.querySelector(".console-verify-form #id_code");
  if (code && !document.querySelector(".console-quick")) {
    code.focus();
  }
})();
