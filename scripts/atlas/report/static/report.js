// Sortable tables: click (or press Enter/Space on) a column header button to sort by it; again
// to reverse. Numeric columns sort by their data-sort value; empty ones (suppressed cells) go last
// in either direction. Ties keep the original row order.
(function () {
  "use strict";
  function key(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }
  function sortTable(table, index, type, direction) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var factor = direction === "ascending" ? 1 : -1;
    rows.forEach(function (row, position) {
      if (!row.hasAttribute("data-order")) { row.setAttribute("data-order", String(position)); }
    });
    rows.sort(function (a, b) {
      var ka = key(a, index), kb = key(b, index), result = 0;
      if (type === "number") {
        var na = ka === "" ? NaN : Number(ka), nb = kb === "" ? NaN : Number(kb);
        if (isNaN(na) !== isNaN(nb)) { return isNaN(na) ? 1 : -1; }
        result = isNaN(na) ? 0 : factor * (na - nb);
      } else {
        result = factor * ka.localeCompare(kb, "fr", { sensitivity: "base", numeric: true });
      }
      return result || (Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order")));
    });
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(row); });
    body.appendChild(fragment);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, position) {
      if (position === index) { th.setAttribute("aria-sort", direction); } else { th.removeAttribute("aria-sort"); }
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortTable(table, index, button.getAttribute("data-type") || "text", next);
      });
    });
  });
})();
