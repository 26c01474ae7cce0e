/* The booking calendar: choosing a range of free cells (first, then last cell of the same day).
   A single free cell needs no script: it is a link (and an htmx request filling the form). */
(function () {
  "use strict";
  var anchor = null; // {date, start} of the first chosen cell

  function calendar() { return document.getElementById("calendar"); }

  function minutes(hhmm) { var p = hhmm.split(":"); return parseInt(p[0], 10) * 60 + parseInt(p[1], 10); }

  function cellsOf(date) {
    return Array.prototype.slice.call(calendar().querySelectorAll("td.cell")).filter(function (td) {
      var link = td.querySelector("a.cell-link");
      return link && link.getAttribute("data-date") === date;
    });
  }

  function markSelected(date, start, end) {
    calendar().querySelectorAll("td.cell.is-selected").forEach(function (td) { td.classList.remove("is-selected"); });
    cellsOf(date).forEach(function (td) {
      var link = td.querySelector("a.cell-link");
      if (minutes(link.getAttribute("data-start")) >= minutes(start) && minutes(link.getAttribute("data-end")) <= minutes(end)) {
        td.classList.add("is-selected");
      }
    });
  }

  // Every cell between two times of one day is free (no booked or closed cell in between).
  function freeBetween(date, start, end) {
    var table = calendar().querySelector(".calendar-grid");
    var step = parseInt(calendar().getAttribute("data-step"), 10);
    for (var m = minutes(start); m < minutes(end); m += step) {
      var hh = String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
      if (!table.querySelector('a.cell-link[data-date="' + date + '"][data-start="' + hh + '"]')) { return false; }
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#calendar a.cell-link");
    if (!link) { return; }
    var date = link.getAttribute("data-date");
    var start = link.getAttribute("data-start");
    var end = link.getAttribute("data-end");
    var root = calendar();
    var max = parseInt(root.getAttribute("data-max"), 10);
    var min = parseInt(root.getAttribute("data-min"), 10);
    if (anchor && anchor.date === date && minutes(end) > minutes(anchor.start) &&
        minutes(end) - minutes(anchor.start) <= max && minutes(end) - minutes(anchor.start) >= min &&
        freeBetween(date, anchor.start, end)) {
      // The second click: the range from the first cell to this one.
      event.preventDefault();
      event.stopPropagation();
      var params = new URLSearchParams({ date: date, start: anchor.start, end: end });
      var current = new URLSearchParams(window.location.search);
      ["week", "day", "move"].forEach(function (key) { if (current.get(key)) { params.set(key, current.get(key)); } });
      if (root.getAttribute("data-move")) { params.set("move", root.getAttribute("data-move")); }
      markSelected(date, anchor.start, end);
      anchor = null;
      if (window.htmx) {
        window.htmx.ajax("GET", root.getAttribute("data-quote-url") + "?" + params.toString(), { target: "#book", swap: "outerHTML" });
      } else {
        window.location = root.getAttribute("data-page-url") + "?" + params.toString() + "#book";
      }
      return;
    }
    // The first click: htmx fills the form with the shortest booking from this cell.
    anchor = { date: date, start: start };
    markSelected(date, start, end);
  }, true);

  // A new week or day swapped in: the half-made range is forgotten.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "calendar") { anchor = null; }
  });
})();
