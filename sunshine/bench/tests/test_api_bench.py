import json
import subprocess
import sys


def test_the_api_bench_measures_every_call_of_the_flow_and_prints_json_last():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sunshine.cli",
            "bench",
            "api",
            "--children",
            "40",
            "--parents",
            "3",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    calls = ("me", "children", "open_draft", "save_draft", "submit", "poll", "schools_page")
    assert all(figures[f"{call}_cpu_ms_median"] > 0 for call in calls)
    # Polling a fresh submission: the token, the application, its checks; the log-in check:
    # the token (with the parent's phone) and the count of children.
    assert figures["poll_queries"] == 3 and figures["me_queries"] == 2
    assert figures["parents"] == 3
    lowest = min(figures[f"{call}_cpu_ms_median"] for call in calls)
    assert figures["mix_cpu_ms_per_request"] > lowest
