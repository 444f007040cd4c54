// Network drawings: clicking an organisation opens its own network page (its address is the point's
// customdata). The tables under each drawing hold the same links for keyboard and screen-reader users.
(function () {
  function attach(el) {
    if (el.dataset.linked) return;
    if (typeof el.on !== "function") {
      window.requestAnimationFrame(function () { attach(el); });
      return;
    }
    el.dataset.linked = "1";
    el.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      if (point && point.customdata) window.location.assign(point.customdata);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".poles-network [data-chart]").forEach(attach);
  });
})();
