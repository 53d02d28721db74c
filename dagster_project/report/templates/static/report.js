// Draws every chart of the page with the report's own plotly.min.js (no network).
// A figure is the JSON text of <script type="application/json" id="<chart id>-data">.
(function () {
  "use strict";
  function draw() {
    var boxes = document.querySelectorAll("div.chart[data-figure]");
    for (var i = 0; i < boxes.length; i++) {
      var div = boxes[i];
      var data = document.getElementById(div.getAttribute("data-figure"));
      if (!data || typeof Plotly === "undefined") { continue; }
      var fig = JSON.parse(data.textContent);
      Plotly.newPlot(div, fig.data, fig.layout, {displaylogo: false, responsive: true,
                                                 modeBarButtonsToRemove: ["sendDataToCloud"]});
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
