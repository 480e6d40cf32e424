/* The phone page: one board, light. Renders each version LiveBoard hands over (LivePage
 * follows the board and shows the connection). */
(function () {
  "use strict";
  var root = document.getElementById("phone");
  if (!root) return;
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var list = document.getElementById("ph-rows"), note = document.getElementById("ph-note");
  var stateEl = document.getElementById("ph-state"), conn = document.getElementById("ph-conn");

  function span(cls, text) { var s = document.createElement("span"); s.className = cls; s.textContent = text; return s; }

  function render(board) {
    var items = board.rows.map(function (row, i) {
      var li = document.createElement("li");
      li.dataset.code = row.code;
      if (row.prize) li.className = "prize-" + row.prize;
      if (board.qualify && i + 1 === board.qualify && i + 1 < board.rows.length) {
        li.classList.add("qualify-after");
        li.dataset.qualify = labels.qualify.replace("{n}", board.qualify);
      }
      li.appendChild(span("r", row.rank == null ? "–" : row.rank));
      var who = span("w", row.institution || row.team || row.code);
      var sub = [row.team, row.institution || row.team ? row.code : null].filter(Boolean).join(" · ");
      if (sub) who.appendChild(span("c", sub));
      if (row.prize) who.appendChild(span("p", labels.prizes[row.prize]));
      li.appendChild(who);
      li.appendChild(span("t", row.total));
      return li;
    });
    list.replaceChildren.apply(list, items);
    stateEl.dataset.state = board.publication;
    stateEl.textContent = labels.states[board.publication] || board.publication;
    note.hidden = board.publication !== "frozen" && board.rows.length > 0;
    note.textContent = board.publication === "frozen" ? labels.frozen_note
      : board.publication === "hidden" ? labels.hidden : labels.empty;
    root.dataset.version = board.version;
  }

  LivePage.follow(root, conn, render);
})();
