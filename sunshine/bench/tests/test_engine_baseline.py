import json

from sunshine.bench import engine


def test_the_c_baseline_reaches_the_same_assignment_as_the_engine(capsys):
    assert engine.main(["--students", "3000", "--repeats", "1", "--baseline-c"]) == 0
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures["baseline_c_agrees"] is True
    assert figures["engine_to_baseline_c_ratio"] > 0
