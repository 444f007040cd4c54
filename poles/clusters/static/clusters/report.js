// The year selector of a cluster report: go to the chosen year's page (no inline script: CSP).
(function () {
  var select = document.getElementById("year-select");
  if (!select) return;
  select.addEventListener("change", function () {
    window.location.href = select.dataset.reportYearUrl.replace("1111", select.value);
  });
})();
