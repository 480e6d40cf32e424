/* The live board page (public or officials): renders each version LiveBoard hands over,
 * marks rows whose rank moved, and shows the publication state; LivePage follows the board
 * and shows the connection. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) return;
  var conn = document.getElementById("conn");
  var rowsEl = document.getElementById("rows");
  var versionEl = document.getElementById("version");
  var stateEl = document.getElementById("publication");
  var officials = root.dataset.audience === "officials";
  var labels = JSON.parse(document.getElementById("labels").textContent);

  function cell(cls, text) {
    var td = document.createElement("td");
    td.className = cls;
    td.textContent = text == null ? "" : String(text);
    return td;
  }

  function render(board) {
    var previous = {};
    Array.prototype.forEach.call(rowsEl.querySelectorAll("tr[data-code]"), function (tr) {
      previous[tr.dataset.code] = tr.querySelector(".rank").textContent;
    });
    var fragment = document.createDocumentFragment();
    board.rows.forEach(function (row, i) {
      var tr = document.createElement("tr");
      tr.dataset.code = row.code;
      if (row.prize) tr.className = "prize-" + row.prize;
      var rank = row.rank == null ? "–" : String(row.rank);
      if (previous[row.code] !== undefined && previous[row.code] !== rank) tr.classList.add("moved");
      if (board.qualify && i + 1 === board.qualify) tr.classList.add("qualify-line");
      tr.appendChild(cell("rank", rank));
      tr.appendChild(cell("code", row.code));
      tr.appendChild(cell("name", [row.team, row.institution].filter(Boolean).join(" · ")));
      tr.appendChild(cell("prize", row.prize ? labels.prizes[row.prize] : ""));
      tr.appendChild(cell("total", row.total));
      if (officials) {
        tr.appendChild(cell("marks", row.marks));
        tr.appendChild(cell("flags", (row.flags || []).join(" ")));
      }
      fragment.appendChild(tr);
    });
    if (!board.rows.length) {
      var empty = document.getElementById(board.publication === "hidden" ? "hidden-row" : "empty-row");
      fragment.appendChild(empty.content.cloneNode(true));
    }
    rowsEl.replaceChildren(fragment);
    root.classList.toggle("named", !!board.named);
    versionEl.textContent = String(board.version);
    root.dataset.version = String(board.version);
    root.dataset.publication = board.publication;
    stateEl.textContent = labels.states[board.publication] || board.publication;
  }

  LivePage.follow(root, conn, render);
})();
