"""Sharing work among processes: the same results, in order, whatever happens to a worker."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from registry.check.workers import PER_JOB, in_processes, jobs
from tests.helpers import run, write_tree


@pytest.fixture
def three_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIRETYPE_JOBS", "3")
    assert jobs(3 * PER_JOB) == 3  # this platform forks: the tests below do share work out


def test_parts_come_back_in_order(three_jobs: None) -> None:
    items = list(range(3 * PER_JOB))
    results = in_processes(items, lambda part: [x * x for x in part])
    assert len(results) == 3
    assert sorted(x for part in results for x in part) == [x * x for x in items]
    assert results[1] == [x * x for x in items[1::3]]


def test_only_a_workers_result_crosses_as_json(three_jobs: None) -> None:
    """This process's own part is used as worked out; a worker's is sent as JSON data and
    received back (a set is no JSON: it must not reach the pipe)."""
    items = list(range(3 * PER_JOB))
    results = in_processes(items, set, send=sorted, receive=lambda data: ("got", data))
    assert results[0] == set(items[0::3])
    assert results[1:] == [("got", items[1::3]), ("got", items[2::3])]


def test_a_worker_that_fails_has_its_part_done_here(three_jobs: None) -> None:
    here = os.getpid()

    def work(part: Sequence[int]) -> list[int]:
        if os.getpid() != here:
            raise RuntimeError("a worker fails")
        return list(part)

    items = list(range(3 * PER_JOB))
    assert in_processes(items, work) == [items[0::3], items[1::3], items[2::3]]


def test_too_little_work_stays_in_this_process(three_jobs: None) -> None:
    assert jobs(PER_JOB - 1) == 1
    assert in_processes([1, 2], lambda part: [os.getpid()]) == [[os.getpid()]]


MESSAGE = """\
versions:
  1:
    fields:
      who: common.user
      level: {{enum: [low, high]}}
      text: {{type: string, max_length: {n}}}
  2:
    fields:
      who: common.user
      level: {{enum: [{levels}]}}
      text: {{type: string, max_length: {n}}}
"""


def test_check_answers_the_same_in_one_process_or_several(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "wiretype.yaml": "compatibility: backward\n",
        "schemas/common/user.yaml": "kind: type\nversions:\n  1:\n    fields: {id: uuid}\n",
    }
    for n in range(3 * PER_JOB):
        levels = "low" if n % 7 == 0 else "low, high"  # every seventh drops a value
        files[f"schemas/chat/m{n:03d}.yaml"] = MESSAGE.format(n=n + 1, levels=levels)
    root = write_tree(tmp_path / "project", files)
    answers = {}
    for count in ("1", "3"):
        monkeypatch.setenv("WIRETYPE_JOBS", count)
        assert jobs(3 * PER_JOB) == int(count)
        for cache in (None, tmp_path / f"cache-{count}"):
            result = run("check", "--root", str(root), "--format", "json", cache=cache)
            answers[count, cache is None] = (result.exit_code, result.stdout)
    assert len(set(answers.values())) == 1
    assert answers["1", True][0] == 1 and answers["1", True][1].count("ENUM_VALUE_NO_DELETE") == 11
