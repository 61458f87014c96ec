"""`make test` shares the test files out among processes: every file exactly once, the longest
first to the least loaded, and the durations read back from pytest's own reports."""
from hypothesis import given, strategies as st

from tests.parallel import durations_from, share_out, suite_files

FILES = st.dictionaries(st.from_regex(r"tests/unit/test_[a-z]{1,8}\.py", fullmatch=True),
                        st.floats(min_value=0, max_value=600), min_size=1, max_size=40)


@given(FILES, st.integers(min_value=1, max_value=6))
def test_every_file_runs_once_and_no_process_waits_on_a_lighter_one(durations, count):
    shares = share_out(list(durations), durations, count)
    shared = [name for share in shares for name in share]
    assert sorted(shared) == sorted(durations)
    loads = [sum(durations[name] for name in share) for share in shares]
    # Greedy longest-first: no process carries more than the lightest plus the longest file.
    assert max(loads) <= min(loads) + max(durations.values()) + 1e-6 or len(shares) < count


def test_the_suite_is_every_test_module(tmp_path):
    files = suite_files()
    assert "tests/unit/test_parallel.py" in files
    assert all(name.startswith("tests/") and name.split("/")[-1].startswith("test_")
               for name in files)


def test_durations_are_summed_per_module_from_a_junit_report(tmp_path):
    report = tmp_path / "report.xml"
    report.write_text(
        '<testsuites><testsuite>'
        '<testcase classname="tests.unit.test_parallel" name="a" time="1.5"/>'
        '<testcase classname="tests.unit.test_parallel" name="b[x]" time="2.25"/>'
        '<testcase classname="tests.unit.test_parallel.Nested" name="c" time="1"/>'
        '<testcase classname="tests.nowhere" name="d" time="9"/>'
        '</testsuite></testsuites>')
    assert durations_from([report, tmp_path / "absent.xml"]) == {
        "tests/unit/test_parallel.py": 4.8}
