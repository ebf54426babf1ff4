"""check_results.py RESULTS EXPECT: the Gradescope results.json of lab 01 is what EXPECT says.

full: full marks (lab 01: 110/110, its hidden test shown after the due date); partial: less than full
marks; compile-error: 0 with the compiler's message. Every result starts with the
environment probe's 0-point entry. Used by gradescope_test.sh and check_old_userland.sh.
"""
import json
import sys

results, expect = json.load(open(sys.argv[1])), sys.argv[2]
score, best = results["score"], results.get("max_score")
if expect == "full":
    assert best and score == best, f"solution: {score}/{best}, expected full marks"
    if "01-blocking" in results["output"]:
        assert best == 110, f"lab 01: {best} points on offer, expected 110 (its hidden test included)"
        assert any(t["visibility"] == "after_due_date" for t in results["tests"]), "hidden test not after_due_date"
    environment = results["tests"][0]
    assert environment["name"].startswith("environment") and environment["max_score"] == 0, environment
    assert "io_uring" in environment["output"] and "strace" in environment["output"], environment
elif expect == "partial":
    assert score < best, f"starter: {score}/{best}, expected less than full marks"
    if "01-blocking" in results["output"]:
        assert "not written yet" in json.dumps(results), "the starter's own message should reach the student"
else:
    assert score == 0 and "does not compile" in results["output"] and "missing_function" in results["output"], results
print(f"gradescope: {expect}: {score}/{best}")
