"""Done means (issue 16, the generated service): bad HTTP input to the service of a
converted, scaffolded and trained sample project, under uvicorn on a loopback port, is
answered 422 naming the field (NaN, Infinity, 1e400, an integer beyond int64, a byte that is
not UTF-8, nesting too deep) and never 500, on a keep-alive connection that stays usable
(the next good request goes over the same socket); an error echoes a short excerpt of the
input at most; a body over the size limit is 413 before it is read, a batch over the limit
422 before any record is validated; a value far outside the training range is scored,
flagged in the answer and counted in /metrics."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scaffold.helpers import Built, env_for, serve, wait_ready

httpx = pytest.importorskip("httpx")
parser = pytest.importorskip("prometheus_client.parser")

KINDS = ["classification", "regression"]
LIMIT = 512 * 1024  # MAX_BODY_BYTES of the service under test
EXCERPT = 200
MARK = "@@value@@"


@dataclass
class Hostile:
    b: Built
    client: Any  # httpx.Client on the running service (one keep-alive connection)
    url: str
    log_dir: Any
    record: dict[str, Any]  # a training row as a request record
    columns: dict[str, dict[str, Any]]  # the metadata's columns by name

    def column(self, kind: str) -> dict[str, Any]:
        return next(c for c in self.columns.values() if c["kind"] == kind)

    def post(self, body: bytes, **headers: str) -> Any:
        headers = {"content-type": "application/json", **headers}
        return self.client.post("/predict", content=body, headers=headers)

    def body(self, field: str, literal: bytes, batch: bool = False) -> bytes:
        """The record with ``field``'s value replaced by the JSON text ``literal`` (as the
        second of two records when ``batch``)."""
        one = json.dumps({**self.record, field: MARK}).encode()
        one = one.replace(json.dumps(MARK).encode(), literal)
        return b"[" + json.dumps(self.record).encode() + b", " + one + b"]" if batch else one


@pytest.fixture(scope="module", params=KINDS)
def hostile(request, built, tmp_path_factory):
    b = built(request.param)
    root = tmp_path_factory.mktemp(f"hostile-{request.param}")
    prefix = b.package.upper() + "_"
    env = env_for(
        b.package,
        **{
            prefix + "MODEL_URI": b.model_uri,
            prefix + "CALCULATION_LOG_URI": str(root / "calculations"),
            prefix + "CALCULATION_LOG_SECONDS": "0.2",
            prefix + "MAX_BODY_BYTES": str(LIMIT),
        },
    )
    with (
        serve(b.project, b.package, env, root / "server.log") as server,
        httpx.Client(base_url=server.url, timeout=60) as client,
    ):
        wait_ready(client)
        _, [record] = b.rows([3])
        columns = {c["name"]: c for c in b.metadata["features"]["columns"]}
        yield Hostile(b, client, server.url, root / "calculations", record, columns)
        log = (root / "server.log").read_text(errors="replace")
        assert "Traceback" not in log, log[-3000:]


def _port(answer: Any) -> int:
    """The client's port of the connection ``answer`` came over."""
    return answer.extensions["network_stream"].get_extra_info("socket").getsockname()[1]


def _still_usable(h: Hostile, answer: Any) -> None:
    """A good request right after ``answer`` is answered 200 over the same connection."""
    good = h.client.post("/predict", json=h.record)
    assert good.status_code == 200, good.text
    assert _port(good) == _port(answer), "the connection was dropped after the error"


def _errors(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail and all(e["loc"][0] == "body" for e in detail)
    return detail


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400"])
def test_non_finite_numbers_are_422_naming_the_field(hostile, literal):
    h = hostile
    number = h.column("number")["name"]
    for batch, loc in ((False, ["body", number]), (True, ["body", 1, number])):
        answer = h.post(h.body(number, literal, batch))
        [error] = _errors(answer)
        assert error["loc"] == loc and error["type"] == "finite_number", error
        assert error["input"] in ("NaN", "Infinity", "-Infinity")
        _still_usable(h, answer)


def test_an_integer_beyond_its_type_is_422_naming_the_field(hostile):
    h = hostile
    column = h.column("integer")
    name = column["name"]
    for value, kind in ((10**30, "less_than_equal"), (-(10**30), "greater_than_equal")):
        answer = h.post(h.body(name, str(value).encode()))
        [error] = _errors(answer)
        assert error["loc"] == ["body", name] and error["type"] == kind, error
        assert error["input"] == value
        _still_usable(h, answer)
    answer = h.post(h.body(name, str(2**63).encode(), batch=True))
    [error] = _errors(answer)
    assert error["loc"] == ["body", 1, name]
    _still_usable(h, answer)


def test_a_byte_that_is_not_utf8_is_422_naming_the_field(hostile):
    h = hostile
    name = h.column("category")["name"]
    for batch, loc in ((False, ["body", name]), (True, ["body", 1, name])):
        answer = h.post(h.body(name, b'"ca\xffrd"', batch))
        [error] = _errors(answer)
        assert error["loc"] == loc and error["type"] == "json_invalid", error
        assert "not UTF-8" in error["msg"] and "0xff" in error["msg"]
        _still_usable(h, answer)


def test_nesting_too_deep_is_422_naming_the_field(hostile):
    h = hostile
    name = h.column("number")["name"]
    deep = b"[" * 5000 + b"]" * 5000
    answer = h.post(h.body(name, deep))
    [error] = _errors(answer)
    assert error["loc"] == ["body", name] and error["type"] == "json_invalid"
    assert "recursion limit" in error["msg"]
    _still_usable(h, answer)
    answer = h.post(h.body(name, b"[" * 50 + b"]" * 50, batch=True))  # parses: a wrong type
    [error] = _errors(answer)
    assert error["loc"] == ["body", 1, name] and error["type"] == "float_type"
    _still_usable(h, answer)


def test_a_syntax_error_is_located_at_its_field(hostile):
    h = hostile
    name = h.column("integer")["name"]
    answer = h.post(h.body(name, b"12abc", batch=True))
    [error] = _errors(answer)
    assert error["loc"] == ["body", 1, name] and error["type"] == "json_invalid", error
    [error] = _errors(h.post(b"{not json"))
    assert error["type"] == "json_invalid" and error["input"] is None
    _still_usable(h, answer)


def test_error_bodies_echo_a_short_excerpt_of_the_input(hostile):
    h = hostile
    name = h.column("category")["name"]
    long = "x" * 300_000
    answer = h.post(h.body(name, json.dumps(long).encode()))
    [error] = _errors(answer)
    assert error["loc"] == ["body", name] and error["type"] == "literal_error"
    assert error["input"].startswith("xxxx") and len(error["input"]) <= EXCERPT + 1
    assert len(answer.content) < 2000
    extra = "k" * 100_000
    answer = h.client.post("/predict", json={**h.record, extra: 1})
    [error] = _errors(answer)
    assert error["type"] == "extra_forbidden" and len(error["loc"][1]) <= EXCERPT + 1
    assert len(answer.content) < 2000
    nested = {"a": [list(range(1000))] * 3}  # a structure where a number is expected
    answer = h.client.post("/predict", json={**h.record, h.column("number")["name"]: nested})
    [error] = _errors(answer)
    assert isinstance(error["input"], str) and len(error["input"]) <= EXCERPT + 1
    _still_usable(h, answer)


def test_a_batch_over_the_limit_is_refused_before_any_record_is_validated(hostile):
    h = hostile
    body = b"[" + b",".join([b"{}"] * 100_000) + b"]"  # each {} would be an error
    assert len(body) < LIMIT
    answer = h.post(body)
    [error] = _errors(answer)
    assert error["loc"] == ["body"] and "at most 1000 records" in error["msg"]
    assert "100000" in error["msg"]
    [error] = _errors(h.post(b"[]"))
    assert "empty" in error["msg"]
    _still_usable(h, answer)


def _exchange(url: str, head: bytes, parts: list[bytes]) -> bytes:
    """Send a raw HTTP request head and body parts, read the answer's status line and head
    (the socket times out, and the test fails, if the service waits for more)."""
    where = urlsplit(url)
    with socket.create_connection((where.hostname, where.port), timeout=60) as sock:
        sock.sendall(head)
        for part in parts:
            sock.sendall(part)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data


def test_a_body_over_the_size_limit_is_413_before_it_is_read(hostile):
    h = hostile
    host = urlsplit(h.url).netloc.encode()
    start = b"POST /predict HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: application/json\r\n"
    # a declared length: the answer comes though not one byte of the body was sent
    answer = _exchange(h.url, start + b"Content-Length: 1000000000\r\n\r\n", [])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # a chunked body: the answer comes once the limit is passed, before the body ends
    chunk = b"[" + b" " * 65535
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * (LIMIT // len(chunk) + 2)
    answer = _exchange(h.url, start + b"Transfer-Encoding: chunked\r\n\r\n", parts)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # through the client: both kinds, then a good request
    big = json.dumps([h.record] * (LIMIT // len(json.dumps(h.record)) + 10)).encode()
    answer = h.post(big)
    assert answer.status_code == 413 and "MAX_BODY_BYTES" in answer.json()["detail"]
    pieces = (big[i : i + 10_000] for i in range(0, len(big), 10_000))
    answer = h.client.post("/predict", content=pieces)
    assert answer.status_code == 413, answer.text
    assert h.client.post("/predict", json=h.record).status_code == 200


def _samples(client: Any) -> dict[tuple[str, tuple], float]:
    text = client.get("/metrics").text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in parser.text_string_to_metric_families(text)
        for s in family.samples
    }


def test_values_outside_the_training_range_are_scored_flagged_and_counted(hostile):
    h = hostile
    column = h.column("integer")
    name, low, high = column["name"], column["min"], column["max"]
    counter = ("model_out_of_range_values_total", (("field", name),))
    before = _samples(h.client).get(counter, 0.0)
    far = {**h.record, name: -1_000_000}
    answer = h.client.post("/predict", json=far, headers={"X-Request-ID": "far-one"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "prediction" in body and body["scores"]
    assert body["out_of_range"] == [{"field": name, "value": -1_000_000, "range": [low, high]}]
    batch = [h.record, {**h.record, name: high + 1}, h.record]
    answer = h.client.post("/predict", json=batch, headers={"X-Request-ID": "far-batch"})
    assert answer.status_code == 200, answer.text
    answers = answer.json()["predictions"]
    assert ["out_of_range" in a for a in answers] == [False, True, False]
    assert answers[1]["out_of_range"] == [{"field": name, "value": high + 1, "range": [low, high]}]
    assert _samples(h.client)[counter] - before == 2
    read_calculations = h.b.module("service.calculation_log").read_calculations
    deadline = time.monotonic() + 20
    while True:  # written every 0.2 s
        log = read_calculations(str(h.log_dir))
        mine = log[log["request_id"].isin(["far-one", "far-batch"])] if len(log) else log
        if len(mine) >= 4 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    flagged = [isinstance(v, list) and len(v) > 0 for v in mine["out_of_range"]]
    assert flagged == [True, False, True, False]


def test_a_value_the_model_cannot_score_is_422_naming_the_field(hostile):
    """A finite value so far out that the model fails on it (or answers NaN) is refused at
    the field; a value it can score is answered, flagged."""
    h = hostile
    number = h.column("number")["name"]
    answer = h.client.post("/predict", json=[h.record, {**h.record, number: 1e308}])
    if answer.status_code == 200:  # the model copes: flagged
        assert answer.json()["predictions"][1]["out_of_range"][0]["field"] == number
    else:
        [error] = _errors(answer)
        assert error["loc"] == ["body", 1, number] and error["type"] == "unscorable_value"
        assert error["input"] == 1e308
    _still_usable(h, answer)


# Any JSON value in any field, and corrupted bytes: 200 or 422, never anything else, and the
# connection survives.
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats()
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_value_or_corrupted_byte_is_200_or_422_on_the_same_connection(hostile, data):
    h = hostile
    field = data.draw(st.sampled_from(sorted(h.record)), label="field")
    value = data.draw(_JSON, label="value")
    body = json.dumps({**h.record, field: value}).encode()  # NaN and Infinity as such
    if data.draw(st.booleans(), label="corrupt"):
        at = data.draw(st.integers(0, len(body) - 1), label="at")
        byte = data.draw(st.integers(0, 255), label="byte")
        body = body[:at] + bytes([byte]) + body[at + 1 :]
    if data.draw(st.booleans(), label="batch"):
        body = b"[" + json.dumps(h.record).encode() + b"," + body + b"]"
    answer = h.post(body)
    assert answer.status_code in (200, 422), answer.text
    payload = json.loads(answer.text, parse_constant=_not_json)  # strict JSON
    if answer.status_code == 422:
        for error in payload["detail"]:
            assert error["loc"][0] == "body" and error["msg"]
            echoed = error["input"]
            text = echoed if isinstance(echoed, str) else json.dumps(echoed, ensure_ascii=False)
            assert len(text) <= EXCERPT + 1
    else:
        answers = payload.get("predictions", [payload])
        assert all("prediction" in a for a in answers)
    _still_usable(h, answer)


def _not_json(constant: str) -> None:
    raise AssertionError(f"{constant} in an answer: not JSON")


def test_raw_record_fields_are_bounded_and_only_needed_fields_are_flagged(built):
    """In process: the raw-record schema bounds the integer of a column the feature code
    does not need too (pandas could not hold it), and flags only the needed columns."""
    b = built("classification")
    schema_mod, scoring = b.module("service.schema"), b.module("scoring")
    columns = [
        {"name": "age", "dtype": "int64", "kind": "integer", "nullable": False, "min": 0, "max": 9},
        {
            "name": "spare",
            "dtype": "int32",
            "kind": "integer",
            "nullable": True,
            "min": 0,
            "max": 9,
        },
    ]
    records = {"replayable": True, "columns": columns, "required": ["age"], "id_field": "id"}
    schema = schema_mod.RequestSchema({"input": "dataframe"}, 10, records)
    with pytest.raises(schema_mod.ValidationError) as refused:
        schema.parse(b'{"age": 1, "spare": 3000000000}')
    assert [e["loc"] for e in refused.value.errors()] == [("spare",)]
    [record], _ = schema.parse(b'{"age": 50, "spare": 50, "id": "r1"}')
    ranges = scoring.training_ranges(schema)
    assert [(name, low, high) for _, name, low, high in ranges] == [("age", 0, 9)]
    with pytest.raises(schema_mod.BadRequest) as bad:
        schema.parse(b'[{"age": 1}, {"age": 1, "sp\xffare": 1}]')
    assert bad.value.loc == (1, "sp\ufffdare")
