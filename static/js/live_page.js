/* What the one-board pages (board.js, phone.js) share: follow the board their root element
 * names (templates/_live_board.html writes its data attributes, the #snapshot payload and the
 * connection badge) and show the connection state in that badge (its data-label-* texts). */
(function (global) {
  "use strict";

  function connection(el) {
    return function (state) {
      el.dataset.state = state;
      el.textContent = el.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)];
    };
  }

  function follow(root, conn, render) {
    var d = root.dataset;
    return new global.Live.LiveBoard({
      namespace: d.namespace, event: d.event, status: connection(conn), render: render,
      initial: JSON.parse(document.getElementById("snapshot").textContent),
      board: { id: parseInt(d.board, 10), token: d.token, tokenUrl: d.tokenUrl, snapshotUrl: d.snapshotUrl }
    });
  }

  global.LivePage = { follow: follow, connection: connection };
})(window);
