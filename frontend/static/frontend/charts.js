/* Staff dashboard: each chart is drawn from the table beside it (the same figures, for screen
   readers and for the CSV). Numbers come from data-value attributes, never from formatted text.
   No inline script: the page only carries data attributes (CSP). */
(function () {
  "use strict";
  var PALETTE = ["#0b6e4f", "#c8553d", "#2d7dd2", "#f2a541", "#6c4ab6", "#3e8914", "#d1495b",
    "#00798c", "#8a5a44", "#5c6b73", "#edae49", "#30638e"];

  function read(table) {
    var headers = Array.prototype.map.call(table.tHead.rows[0].cells, function (c) {
      return c.textContent.trim();
    });
    var labels = [], columns = headers.slice(1).map(function () { return []; });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      labels.push(row.cells[0].textContent.trim());
      for (var i = 1; i < row.cells.length; i++) {
        var raw = row.cells[i].getAttribute("data-value");
        columns[i - 1].push(raw === "" || raw === null ? null : Number(raw));
      }
    });
    return { headers: headers, labels: labels, columns: columns };
  }

  function draw(section) {
    var table = section.querySelector("table.chart-table");
    var canvas = section.querySelector("canvas");
    if (!table || !canvas || !window.Chart) { return; }
    var data = read(table);
    var series = Number(section.getAttribute("data-series") || data.columns.length);
    var kind = section.getAttribute("data-kind") || "bar";
    var stacked = section.getAttribute("data-stacked") === "1";
    var rtl = document.documentElement.dir === "rtl";
    // A rate in % spans at least 0-10 on its axis: a month at 0 % is not drawn as "0 of 1".
    var percent = section.getAttribute("data-unit") === "%";
    var chart = new window.Chart(canvas, {
      type: kind,
      data: {
        labels: data.labels,
        datasets: data.columns.slice(0, series).map(function (values, i) {
          var colour = PALETTE[i % PALETTE.length];
          return { label: data.headers[i + 1], data: values, backgroundColor: colour,
                   borderColor: colour, spanGaps: true, tension: 0 };
        })
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        layout: { padding: { bottom: 10 } },  // slanted Arabic labels measure short
        // Arabic pages write numbers as French does (Western digits, "1 200,5"): the axes too.
        locale: rtl ? "fr" : document.documentElement.lang || "fr",
        plugins: {
          legend: { rtl: rtl, position: "bottom", labels: { boxWidth: 12, font: { size: 11 } } },
          tooltip: { rtl: rtl }
        },
        scales: {
          // offset: half a step of room at each end, or a line's first and last labels are cut.
          // A time axis (lines) keeps its labels level and skips some; slanted ones were cut.
          x: { stacked: stacked, reverse: rtl, offset: true,
               ticks: kind === "line" ? { maxRotation: 0, autoSkipPadding: 12 } : {} },
          // Whole numbers on the axis: counts and percentages, never "0,1" steps of nothing.
          // In Arabic time runs right to left: the figures' axis stands where it starts.
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 },
               position: rtl ? "right" : "left",
               suggestedMax: percent ? 10 : undefined }
        }
      }
    });
    section.setAttribute("data-drawn", String(chart.data.datasets.length));
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
