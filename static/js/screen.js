/* The hall's big screen (1920×1080): cycles through the competition's public boards and their
 * pages, animates rank changes (rows glide to their new place), shows prize colours, the
 * qualification line and the connection; a revealed board shows the prize ceremony, level by
 * level as the organiser advances it. One socket; one room at a time (the board on screen). */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) return;
  var PER_PAGE = 10;
  var screens = JSON.parse(document.getElementById("screens").textContent);
  var labels = JSON.parse(document.getElementById("labels").textContent);
  var seconds = parseInt(root.dataset.seconds, 10) || 12;
  var $ = function (id) { return document.getElementById(id); };
  var rowsEl = $("sc-rows"), titleEl = $("sc-title"), stateEl = $("sc-state"), connEl = $("sc-conn");
  var noteEl = $("sc-note"), ceremonyEl = $("sc-ceremony"), columnsEl = $("sc-columns");
  var index = 0, page = 0, shownBoard = null, shownPage = -1, lastRanks = {}, moves = {};

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = String(text);
    return node;
  }

  function status(state) {
    connEl.dataset.state = state;
    connEl.textContent = connEl.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)];
  }

  function pages(board) { return Math.max(1, Math.ceil(board.rows.length / PER_PAGE)); }

  function rowItem(row, i, board) {
    var li = el("li", "sc-row" + (row.prize ? " prize-" + row.prize : ""));
    li.dataset.code = row.code;
    li.appendChild(el("span", "sc-rank", row.rank == null ? "–" : row.rank));
    var who = el("span", "sc-who");
    var named = row.team || row.institution;
    who.appendChild(el("span", "sc-name", named ? (row.institution || row.team) : row.code));
    if (named) who.appendChild(el("span", "sc-sub", [row.team, row.code].filter(Boolean).join(" · ")));
    li.appendChild(who);
    li.appendChild(el("span", "sc-prize", row.prize ? labels.prizes[row.prize] : ""));
    li.appendChild(el("span", "sc-total", row.total));
    var move = moves[row.code];
    li.appendChild(el("span", "sc-move" + (move > 0 ? " up" : move < 0 ? " down" : ""),
                      move > 0 ? "▲" + move : move < 0 ? "▼" + (-move) : ""));
    if (board.qualify && i + 1 === board.qualify && i + 1 < board.rows.length) {
      li.classList.add("qualify-after");
      li.dataset.qualify = fill(labels.qualify, { n: board.qualify });
    }
    return li;
  }

  function renderCeremony(board) {
    var level = board.reveal_level;
    var title = $("sc-ceremony-title"), list = $("sc-winners");
    list.replaceChildren();
    ceremonyEl.dataset.level = level;
    if (level === "none") { title.textContent = labels.ceremony_wait; return; }
    title.textContent = labels.prizes[level];
    board.rows.filter(function (r) { return r.prize === level; }).forEach(function (row) {
      var li = el("li", "sc-winner prize-" + level);
      li.appendChild(el("span", "sc-name", row.institution || row.team || row.code));
      li.appendChild(el("span", "sc-sub", [row.team, row.code, row.total].filter(Boolean).join(" · ")));
      list.appendChild(li);
    });
  }

  function render(board) {
    titleEl.textContent = board.title;
    stateEl.dataset.state = board.publication;
    stateEl.textContent = labels.states[board.publication] || board.publication;
    root.dataset.board = board.board;
    root.dataset.version = board.version;
    root.dataset.publication = board.publication;
    var ceremony = board.publication === "revealed";
    ceremonyEl.hidden = !ceremony;
    rowsEl.hidden = ceremony;
    columnsEl.hidden = ceremony;
    noteEl.hidden = board.publication !== "frozen" && board.rows.length > 0;
    noteEl.textContent = board.publication === "frozen" ? labels.frozen_note
      : board.publication === "hidden" ? labels.hidden : labels.empty;
    $("sc-cycle").textContent = screens.length > 1 ? fill(labels.board_of, { i: index + 1, n: screens.length }) : "";
    if (ceremony) { renderCeremony(board); shownBoard = board.board; $("sc-page").textContent = ""; return; }

    // rank moves since this board's previous version (for the arrows)
    var before = lastRanks[board.board] || {}, now = {};
    board.rows.forEach(function (row) {
      now[row.code] = row.rank;
      if (before[row.code] != null && row.rank != null && before[row.code] !== row.rank) {
        moves[row.code] = before[row.code] - row.rank;
      } else if (before[row.code] === undefined) {
        delete moves[row.code];
      }
    });
    lastRanks[board.board] = now;

    page = Math.min(page, pages(board) - 1);
    var animate = shownBoard === board.board && shownPage === page;
    var tops = {};
    if (animate) {
      Array.prototype.forEach.call(rowsEl.children, function (li) { tops[li.dataset.code] = li.getBoundingClientRect().top; });
    }
    var old = {};
    Array.prototype.forEach.call(rowsEl.children, function (li) {
      old[li.dataset.code] = li.querySelector(".sc-total").textContent;
    });
    var fragment = document.createDocumentFragment();
    board.rows.slice(page * PER_PAGE, (page + 1) * PER_PAGE).forEach(function (row, k) {
      var li = rowItem(row, page * PER_PAGE + k, board);
      if (animate && old[row.code] !== undefined && old[row.code] !== row.total) li.classList.add("changed");
      fragment.appendChild(li);
    });
    rowsEl.replaceChildren(fragment);
    if (animate) {                                    // FLIP: from the old place to the new one
      Array.prototype.forEach.call(rowsEl.children, function (li) {
        var top = tops[li.dataset.code];
        var dy = top === undefined ? 0 : top - li.getBoundingClientRect().top;
        if (dy) {
          li.style.transition = "none";
          li.style.transform = "translateY(" + dy + "px)";
          li.getBoundingClientRect();
          li.style.transition = "transform 900ms cubic-bezier(.2,.8,.2,1)";
          li.style.transform = "";
        }
      });
    }
    shownBoard = board.board;
    shownPage = page;
    $("sc-page").textContent = pages(board) > 1 ? fill(labels.page, { page: page + 1, pages: pages(board) }) : "";
  }

  if (!screens.length) { status("offline"); return; }

  function target(i) {
    var s = screens[i];
    return { id: s.id, token: s.token, tokenUrl: s.token_url, snapshotUrl: s.snapshot_url };
  }
  var live = new Live.LiveBoard({
    namespace: root.dataset.namespace, event: root.dataset.event, status: status, render: render,
    initial: null, board: target(0)
  });

  /* The cycle: the next page of this board, else the next board that is public. */
  var skips = 0;
  function advance() {
    var board = live.board();
    if (board && board.board === screens[index].id && board.publication !== "revealed" && page + 1 < pages(board)) {
      page += 1;
      render(board);
      return;
    }
    if (screens.length < 2) { page = 0; if (board) render(board); return; }
    index = (index + 1) % screens.length;
    page = 0;
    live.watch(target(index)).then(function () {
      var shown = live.board();
      if (shown && shown.board === screens[index].id && shown.publication === "hidden" && ++skips < screens.length) {
        advance();
      } else {
        skips = 0;
      }
    });
  }
  setInterval(advance, seconds * 1000);
  function clock() {
    var d = new Date();
    $("sc-clock").textContent = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }
  clock();
  setInterval(clock, 10000);
})();
