"""The emitter: deltas that pages can apply, and at most one broadcast per room per 250 ms."""

from __future__ import annotations

import json
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realtime import emit, rooms


def board(version: int, rows: list[dict], **extra) -> dict:  # type: ignore[no-untyped-def]
    return {"board": 7, "audience": "public", "title": "T", "publication": "live", "version": version,
            "generated_at": f"t{version}", "rows": rows, **extra}


def row(code: str, rank: int | None, total: str) -> dict:
    """A public row as ``boards.materialise`` writes it: no ``rank`` key when unranked."""
    return {"code": code, "total": total} if rank is None else {"code": code, "rank": rank, "total": total}


ROWS = [row("A", 1, "9.00"), row("B", 2, "8.00"), row("C", 3, "7.00"), row("D", 4, "6.00")]


LONG = [row(f"R{i:02d}", i, f"{30 - i}.00") for i in range(1, 21)]


@pytest.mark.parametrize(("name", "old_rows", "new_rows", "changed", "ranks", "removed"), [
    ("nothing changed", ROWS, ROWS, [], None, None),
    ("one total, same place", ROWS, [ROWS[0], ROWS[1], row("C", 3, "7.50"), ROWS[3]], [2], None, None),
    ("D overtakes C: C only shifts", ROWS, [ROWS[0], ROWS[1], row("D", 3, "7.20"), row("C", 4, "7.00")], [2],
     None, None),
    ("a new entry at the end", ROWS, [*ROWS, row("E", None, "0")], [4], None, None),
    ("B left: the rest shift up", ROWS, [ROWS[0], row("C", 2, "7.00"), row("D", 3, "6.00")], [], None, ["B"]),
    ("C ties B: a rank fix, no row", ROWS, [ROWS[0], ROWS[1], row("C", 2, "7.00"), ROWS[3]], [], [[2, 2]], None),
    ("the 18th climbs to 3rd of 20: one row", LONG,
     [*[row(r["code"], r["rank"], r["total"]) for r in LONG[:2]], row("R18", 3, "28.50"),
      *[row(r["code"], r["rank"] + 1, r["total"]) for r in LONG[2:17]], *LONG[18:]], [2], None, None),
])
def test_a_delta_lists_only_what_a_page_cannot_work_out(name, old_rows, new_rows, changed, ranks, removed):
    delta = emit.rows_delta(board(1, old_rows), board(2, new_rows))
    assert delta is not None and delta["base"] == 1 and delta["version"] == 2
    assert [i for i, _ in delta["delta"]["rows"]] == changed
    assert delta["delta"].get("ranks") == ranks
    assert delta["delta"].get("removed") == removed
    assert emit.apply_delta(old_rows, delta["delta"]) == new_rows


def test_a_climb_is_a_small_message():
    climbed = [*LONG[:2], row("R18", 3, "28.50"), *[row(r["code"], r["rank"] + 1, r["total"]) for r in LONG[2:17]],
               *LONG[18:]]
    message = emit.message_for(board(1, LONG), board(2, climbed))
    assert "delta" in message and emit.size(message) <= 256


def test_a_change_besides_rows_needs_the_whole_board():
    assert emit.rows_delta(board(1, ROWS), board(2, ROWS, publication="frozen")) is None
    assert emit.message_for(board(1, ROWS), board(2, ROWS, publication="frozen"))["rows"] == ROWS


def test_the_smaller_message_is_sent():
    small_change = board(2, [ROWS[0], ROWS[1], row("C", 3, "7.50"), ROWS[3]])
    assert "delta" in emit.message_for(board(1, ROWS), small_change)
    many = [row(f"HN-{i:02d}", i, f"{i}.00") for i in range(1, 31)]
    reversed_board = board(2, [row(r["code"], 31 - r["rank"], r["total"]) for r in reversed(many)], title="")
    delta = emit.rows_delta(board(1, many, title=""), reversed_board)
    assert emit.size(delta) > emit.size(reversed_board)  # every row moved: the delta would be bigger
    assert emit.message_for(board(1, many, title=""), reversed_board) is reversed_board
    assert emit.message_for(None, small_change) is small_change


def test_messages_are_compact_utf8_json():
    assert emit.CompactJSON.dumps({"a": [1, "赛区"]}) == '{"a":[1,"赛区"]}'
    assert emit.size({"a": "赛"}) == len('{"a":"赛"}'.encode())


codes = st.sampled_from(list("ABCDEFGH"))
rows_strategy = st.lists(
    st.builds(row, codes, st.one_of(st.none(), st.integers(1, 8)), st.sampled_from(["1", "2", "3"])),
    unique_by=lambda r: r["code"], max_size=8)


@settings(max_examples=300, deadline=None)
@given(rows_strategy, rows_strategy)
def test_applying_a_delta_always_gives_the_new_board(old, new):
    delta = emit.rows_delta(board(1, old), board(2, new))
    assert delta is not None
    assert emit.apply_delta(old, delta["delta"]) == new


# -- the 4 Hz cap, on the real Redis --------------------------------------------------------

def listen(runtime):  # type: ignore[no-untyped-def]
    pubsub = runtime.redis.pubsub()
    pubsub.subscribe(emit.CHANNEL)
    pubsub.get_message(timeout=1)
    return pubsub


def received(pubsub, seconds: float) -> list[tuple[float, dict]]:  # type: ignore[no-untyped-def]
    out = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.05)
        if message and message["type"] == "message":
            out.append((time.monotonic(), json.loads(message["data"])))
    return out


def test_a_burst_to_one_room_is_coalesced_and_its_final_state_sent(runtime):
    pubsub = listen(runtime)
    emitter = emit.Emitter(runtime.redis_url)
    got: list[tuple[float, dict]] = []
    listener = threading.Thread(target=lambda: got.extend(received(pubsub, 2.0)))
    listener.start()
    started = time.monotonic()
    for version in range(1, 41):  # 40 versions in ~1 s
        emitter.board_updated(7, "public", board(version, [row("A", 1, str(version))]))
        time.sleep(0.025)
    listener.join()
    pubsub.close()
    versions = [m["data"][0]["version"] for _, m in got]
    assert versions[-1] == 40  # the final state always goes out
    assert versions == sorted(versions) and len(versions) <= (time.monotonic() - started) / emit.WINDOW + 1
    gaps = [b - a for (a, _), (b, _) in zip(got, got[1:])]
    assert min(gaps) >= emit.WINDOW * 0.5  # unthrottled would be ~25 ms; slack for a loaded listener thread
    assert all(m["room"] == rooms.board_room(7, "public") for _, m in got)
    assert emitter.pending() == 0


def test_rooms_have_their_own_windows_and_deltas_follow_what_was_sent(runtime):
    pubsub = listen(runtime)
    emitter = emit.Emitter(runtime.redis_url)
    emitter.board_updated(7, "public", board(1, ROWS))
    emitter.board_updated(7, "officials", {**board(1, ROWS), "audience": "officials"})  # another room: now
    emitter.board_updated(7, "public", board(2, [ROWS[0], ROWS[1], row("C", 3, "7.50"), ROWS[3]]))
    emitter.board_updated(7, "public", board(3, [ROWS[0], ROWS[1], row("C", 3, "7.75"), ROWS[3]]))
    got = [m["data"][0] for _, m in received(pubsub, 0.8)]
    pubsub.close()
    assert [(m["audience"], m["version"]) for m in got] == [("public", 1), ("officials", 1), ("public", 3)]
    assert got[2]["base"] == 1 and got[2]["delta"]["rows"] == [[2, row("C", 3, "7.75")]]  # version 2 coalesced


def test_after_another_process_broadcast_a_room_gets_a_whole_board_not_a_delta(runtime):
    pubsub = listen(runtime)
    first, second = emit.Emitter(runtime.redis_url), emit.Emitter(runtime.redis_url)
    first.board_updated(7, "public", board(1, ROWS))
    time.sleep(emit.WINDOW + 0.05)
    second.board_updated(7, "public", board(2, ROWS[:3]))  # another worker took the next pass
    time.sleep(emit.WINDOW + 0.05)
    first.board_updated(7, "public", board(3, ROWS[:2]))  # its last sent (v1) is not the room's last
    assert first.flush(timeout=1) and second.flush(timeout=1)
    got = [m["data"][0] for _, m in received(pubsub, 0.4)]
    pubsub.close()
    assert [m["version"] for m in got] == [1, 2, 3]
    assert "rows" in got[2] and "delta" not in got[2]  # a delta from v1 would not fit pages at v2
