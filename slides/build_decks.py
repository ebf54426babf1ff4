#!/usr/bin/env python3
"""Builds the lecture decks: slides/NN-name.md -> build/slides/NN-name.md (+ .html/.pdf by Marp).

The decks are Markdown for Marp with a few directives in HTML comments, expanded here so a
slide never drifts from the code and figures it shows:

  <!-- code: 06-epoll#event-loop -->     the lines between `// slide-begin: event-loop` and
                                          `// slide-end: event-loop` in solutions/06-epoll/server.cpp
  <!-- code: 09-tinygate/epoll.cpp#pool --> the same in another file of a solution (lab 09 has three)
  <!-- strace: 06-epoll -->              a real strace excerpt of that solution echoing
  <!-- race: 06-epoll -->                its row of build/race/results.json (make race)
  <!-- race-chart: throughput -->        build/race/throughput.svg, when make race has run
  <!-- race-proxy: 50 x 1 KiB -->         that load's medians from build/race-proxy/results.json (make race-proxy)
  <!-- race-proxy-chart: proxy-throughput -->  build/race-proxy/proxy-throughput.svg (or proxy-cpu, proxy-syscalls)
  <!-- zerocopy: relay -->                 make race-proxy's zero-copy section: relay (or send) table
  <!-- grading: 06-epoll -->             the tests of labs/06-epoll/grade.toml, with points
  <!-- demo: herd -->                    the first table of build/demos/herd.json (make demos); herd#2 the second
  <!-- demo-chart: herd-wakeups -->        build/demos/herd-wakeups.svg (make demos)
  ![...](diagrams/NAME.svg)              drawn from slides/diagrams/NAME.dot by graphviz

Any other HTML comment is a speaker note (Marp's presenter notes).

  build_decks.py --check           no browser, no servers: markers, images, notes, sizes
  build_decks.py --out DIR         expand every deck into DIR (needs the build: servers, strace)
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLIDES = ROOT / "slides"
KINDS = r"code|strace|race|race-chart|race-proxy|race-proxy-chart|zerocopy|grading|demo|demo-chart"
DIRECTIVE = re.compile(r"^<!--\s*(" + KINDS + r"):\s*(.*?)\s*-->\s*$")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")
MARP_DIRECTIVE = (r"_?(?:class|paginate|header|footer|backgroundColor|backgroundImage|color|theme|style|size|"
                  r"headingDivider|math|lang|title|marp)\s*:")
NOTE = re.compile(r"<!--(?!\s*(?:(?:" + KINDS + r")\s*:|" + MARP_DIRECTIVE + r")).*?-->", re.S)
# A listing must be readable from the back of a lecture hall (see theme/c10k.css: 20px code).
MAX_LINES, MAX_COLUMNS = 22, 100


def set_root(root):
    global ROOT, SLIDES
    ROOT, SLIDES = root.resolve(), root.resolve() / "slides"


class DeckError(Exception):
    """A deck that cannot be built; the message names deck:line and what to do."""


def decks():
    return sorted(p for p in SLIDES.glob("[0-9][0-9]-*.md"))


def extract(lab, marker, where):
    """The code between the slide markers, markers (and nested ones) removed, dedented.
    @p lab is a lab (its server.cpp) or lab/file (09-tinygate/epoll.cpp)."""
    lab, _, file = lab.partition("/")
    source = ROOT / "solutions" / lab / (file or "server.cpp")
    if not source.exists():
        raise DeckError(f"{where}: no {source.relative_to(ROOT)} for code: {lab}#{marker}")
    lines = source.read_text().splitlines()
    begin = [i for i, l in enumerate(lines) if re.search(rf"//\s*slide-begin:\s*{re.escape(marker)}\s*$", l)]
    end = [i for i, l in enumerate(lines) if re.search(rf"//\s*slide-end:\s*{re.escape(marker)}\s*$", l)]
    if len(begin) != 1 or len(end) != 1 or end[0] <= begin[0]:
        raise DeckError(f"{where}: {source.relative_to(ROOT)} needs exactly one `// slide-begin: {marker}` "
                        f"and one `// slide-end: {marker}` after it (found {len(begin)} and {len(end)})")
    body = [l for l in lines[begin[0] + 1:end[0]] if not re.search(r"//\s*slide-(begin|end):", l)]
    indent = min((len(l) - len(l.lstrip()) for l in body if l.strip()), default=0)
    body = [l[indent:] for l in body]
    if len(body) > MAX_LINES or max((len(l) for l in body), default=0) > MAX_COLUMNS:
        raise DeckError(f"{where}: {lab}#{marker} is {len(body)} lines, {max(len(l) for l in body)} columns wide; "
                        f"a slide holds {MAX_LINES} x {MAX_COLUMNS}: move the markers or split the listing")
    return "```cpp\n" + "\n".join(body) + "\n```"


def grading_table(lab, where):
    spec = ROOT / "labs" / lab / "grade.toml"
    if not spec.exists():
        raise DeckError(f"{where}: no labs/{lab}/grade.toml")
    data = tomllib.loads(spec.read_text())
    # (name, points label) in order; lab 09 runs each test once per model ("epoll: ..."):
    # those become one row, "3 x 4", so the table fits a slide.
    entries = []
    for test in data.get("test", []):
        points = test.get("points", 0)
        label = "demo" if points == 0 else ("+%g extra" % points if test.get("extra_credit") else "%g" % points)
        entries.append((test["name"], label))
    audits = data.get("syscalls", [])
    for audit in audits if isinstance(audits, list) else [audits]:
        suffix = f" ({audit['name']})" if audit.get("name") else ""
        if audit.get("mechanism_points"):
            entries.append((f"syscalls: the lab's mechanism{suffix}", f"{audit['mechanism_points']:g}"))
        if audit.get("per_message_max"):
            unit = "request" if audit.get("load", {}).get("protocol") == "http" else "message"
            entries.append((f"syscalls: at most {audit['per_message_max']:g} per {unit}{suffix}",
                            f"{audit.get('budget_points', 0):g}"))
    rows = ["| test | points |", "|---|---:|"]
    for name, labels in group_per_model(entries):
        points = labels[0] if len(labels) == 1 else (f"{len(labels)} × {labels[0]}" if len(set(labels)) == 1
                                                     else " + ".join(labels))
        rows.append(f"| {name} | {points} |")
    return "\n".join(rows)


MODEL = re.compile(r"^(threads|epoll|io_uring): (.*)$|^(.*) \(--model (threads|epoll|io_uring)\)$")


def group_per_model(entries):
    """Entries that differ only in their model ("epoll: x", "x (--model epoll)") as one row,
    "x (epoll, io_uring)" unless all three models have it; every other entry as it is.
    Order of first appearance."""
    groups, order = {}, []
    for name, label in entries:
        m = MODEL.match(name)
        key, model = ((m.group(2), m.group(1)) if m and m.group(1) else (m.group(3), m.group(4))) if m else (name, None)
        if model and key.startswith("syscalls: at most"):
            key = "syscalls: the budget per request"  # the budgets differ per model; the README gives them
        if key not in groups:
            groups[key] = ([], [])
            order.append(key)
        groups[key][0].append(label)
        if model:
            groups[key][1].append(model)
    for key in order:
        labels, models = groups[key]
        every_model = sorted(models) == ["epoll", "io_uring", "threads"]  # said once, in the slide's title
        yield (f"{key} ({', '.join(models)})" if models and not every_model else key), labels


def race_rows(lab, results):
    if results is None:
        return "*No figures yet: run `make race`, then `make slides`.*"
    runs = [r for r in results["runs"] if r["server"] == lab and r["experiment"] == "load" and r["status"] == "ok"
            and r["size"] == 64]
    if not runs:
        return f"*`make race` has no 64 B figures for {lab} (see build/race/results.json).*"
    rows = ["| connections | msgs/s | p99 | server CPU / msg | syscalls / msg |", "|---:|---:|---:|---:|---:|"]
    for r in runs:
        cpu = r["server_cpu_us_per_msg"]
        calls = r["syscalls_per_msg"]
        rows.append(f"| {r['connections']:,} | {r['msgs_per_s']:,.0f} | {fmt_us(r['latency_us']['p99'])} | "
                    f"{'?' if cpu is None else f'{cpu:.1f} µs'} | {'?' if calls is None else f'{calls:.2f}'} |")
    setup = results["setup"]
    rows.append("")
    rows.append(f"<small>make race, {results['date'][:10]}, {results['machine']['cpus']} CPUs, kernel "
                f"{results['machine']['kernel']}, counted by {setup['counter']}</small>")
    return "\n".join(rows)


def race_proxy_rows(load, results):
    """One load's medians from make race-proxy: wrk's req/s, latency, proxy CPU; perf's calls."""
    if results is None:
        return "*No figures yet: run `make race-proxy`, then `make slides`.*"
    medians = [m for m in results["medians"] if m["load"]["label"] == load and m["rounds"] > 0]
    if not medians:
        return f"*`make race-proxy` has no figures for {load} (see build/race-proxy/results.json).*"
    calls = {m["contestant"]: m["syscalls_per_request"] for m in medians if m["client"] == "c10k-load"}
    rows = ["| | req/s (wrk) | p99 | CPU / request | syscalls / request |", "|---|---:|---:|---:|---:|"]
    for m in medians:
        if m["client"] != "wrk":
            continue
        cpu, n = m["cpu_us_per_request"], calls.get(m["contestant"])
        rows.append(f"| {m['contestant']} | {m['requests_per_s']:,.0f} | {fmt_us(m['p99_us'])} | "
                    f"{'?' if cpu is None else f'{cpu:.1f} µs'} | {'?' if n is None else f'{n:.2f}'} |")
    setup = results["setup"]
    rounds = max(m["rounds"] for m in medians)
    rows.append("")
    rows.append(f"<small>make race-proxy, medians of {rounds} rounds, {setup['cpus']} CPUs, "
                f"{' '.join(f'{k} {v}' for k, v in sorted(setup['versions'].items()))}</small>")
    return "\n".join(rows)


def zerocopy_rows(table, results):
    if results is None:
        return "*No figures yet: run `make race-proxy`, then `make slides`.*"
    if table == "relay":
        rows = ["| relay | body | bodies/s | CPU s per GB |", "|---|---:|---:|---:|"]
        for r in results["relay"]:
            if not r["failure"]:
                size = f"{r['size'] >> 20} MiB" if r["size"] % (1 << 20) == 0 else f"{r['size'] >> 10} KiB"
                rows.append(f"| {r['mode']} | {size} | {r['bodies_per_s']:,.0f} | {r['cpu_s_per_gb']:.3f} |")
    else:
        rows = ["| send to a loopback peer | GB/s | CPU s per GB | notifications | of them \"copied\" |",
                "|---|---:|---:|---:|---:|"]
        for r in results["send"]:
            if not r["note"]:
                rows.append(f"| {r['mode']} | {r['gbytes_per_s']:.2f} | {r['cpu_s_per_gb']:.3f} | "
                            f"{r['notifications']:,} | {r['copied']:,} |")
    return "\n".join(rows)


def demo_names():
    """The demonstrations, as grader/demos/CMakeLists.txt lists them (None: not in this tree)."""
    listing = ROOT / "grader" / "demos" / "CMakeLists.txt"
    if not listing.exists():
        return None
    m = re.search(r"set\(C10K_DEMOS ([^)]*)\)", listing.read_text())
    return m.group(1).split() if m else []


def demo_rows(arg, demos_dir):
    """One table of a demonstration's JSON (make demos), as Markdown, with where it was measured."""
    name, _, index = arg.partition("#")
    source = demos_dir / f"{name}.json"
    if not source.exists():
        return f"*No figures yet: run `make demo {name}` (or `make demos`), then `make slides`.*"
    data = json.loads(source.read_text())
    if data.get("unavailable"):
        return f"*`make demo {name}` could not run where the slides were built: {data['unavailable']}*"
    tables = data.get("tables", [])
    number = int(index or 1)
    if not 1 <= number <= len(tables):
        return f"*`make demo {name}` has no table {number} (see {source}).*"
    table = tables[number - 1]
    cell = lambda text: str(text).replace("|", "\\|")
    rows = ["| " + " | ".join(cell(c) for c in table["columns"]) + " |",
            "|" + "|".join("---" if i == 0 else "---:" for i in range(len(table["columns"]))) + "|"]
    rows += ["| " + " | ".join(cell(c) for c in row) + " |" for row in table["rows"]]
    machine = data["machine"]
    rows.append("")
    rows.append(f"<small>make demo {name}{' --small' if data.get('small') else ''}, {data['date'][:10]}: "
                f"{table['title']}; {machine['cpus']} CPUs, kernel {machine['kernel']}</small>")
    return "\n".join(rows)


def fmt_us(us):
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"


class StraceExcerpts:
    """Runs a solution under strace with a small c10k-bench load; keeps a steady-state excerpt."""

    def __init__(self, build_dir, work):
        self.build_dir, self.work, self.cache = build_dir.resolve(), work.resolve(), {}

    def excerpt(self, lab, where, lines=12):
        if lab in self.cache:
            return self.cache[lab]
        server = self.build_dir / "solutions" / lab / "server"
        bench = self.build_dir / "grader" / "c10k-bench"
        strace = shutil.which("strace")
        for needed, fix in ((server, "make"), (bench, "make"), (strace, "make deps")):
            if not needed or not Path(needed).exists():
                raise DeckError(f"{where}: strace excerpt of {lab} needs {needed or 'strace'}: run {fix}")
        trace = self.work / f"strace-{lab}.txt"
        # -f: threads too; -s 16: short strings; no signal lines. Bounded: the load stops by
        # itself, the server gets SIGTERM, then SIGKILL.
        proc = subprocess.Popen([strace, "-f", "-qq", "-e", "signal=none", "-s", "12", "-o", str(trace), str(server),
                                 "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                start_new_session=True)
        try:
            port = self._announced_port(proc, where)
            clients = "1" if lab.startswith("01") else "2"  # lab 01 serves one client at a time
            subprocess.run([str(bench), "--port", str(port), "-c", clients, "--duration", "0.3",
                            "--warmup-timeout", "5", "--json"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30, check=True)
        except subprocess.SubprocessError as error:
            raise DeckError(f"{where}: running {lab} under strace failed: {error}")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        text = trace.read_text().splitlines()
        start = next((i for i, l in enumerate(text) if "listening on" in l), 0)
        steady = [l for l in text[start + 1:] if not re.search(r"\b(futex|rt_sig\w+|madvise|mmap|munmap|mprotect)\(", l)]
        middle = max(0, len(steady) // 2 - lines // 2)
        chosen = [re.sub(r"^(\d+)\s+", r"[\1] ", l) if lab.startswith("02") else re.sub(r"^\d+\s+", "", l)
                  for l in steady[middle:middle + lines]]
        chosen = [l if len(l) <= MAX_COLUMNS else l[:MAX_COLUMNS - 3] + "..." for l in chosen]
        self.cache[lab] = "```text\n" + "\n".join(chosen) + "\n```"
        return self.cache[lab]

    @staticmethod
    def _announced_port(proc, where):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if m := re.search(r"listening on .*:(\d+)", line):
                return int(m.group(1))
            if not line and proc.poll() is not None:
                break
        raise DeckError(f"{where}: the server did not announce its port under strace within 10 s")


def slides_of(text):
    """(first line number, text) of each slide; the front matter is not a slide."""
    parts, line, out = re.split(r"(?m)^---\s*$", text), 1, []
    for i, part in enumerate(parts):
        if i >= 2 or (i == 1 and not text.startswith("---")):
            out.append((line, part))
        line += part.count("\n") + (1 if i else 0)
    return out


def check_deck(deck):
    """Everything that needs neither a browser nor a server. Returns a list of problems."""
    problems, text = [], deck.read_text()
    name, demos = deck.name, demo_names()
    if not text.startswith("---\nmarp: true"):
        problems.append(f"{name}:1: a deck starts with front matter `marp: true`")
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{name}:{number}"
        if m := DIRECTIVE.match(line.strip()):
            kind, arg = m.groups()
            try:
                if kind == "code":
                    lab, _, marker = arg.partition("#")
                    extract(lab, marker, where)
                elif kind in ("strace", "race", "grading") and not (ROOT / "labs" / arg).exists():
                    problems.append(f"{where}: no lab {arg}")
                elif kind == "grading":
                    grading_table(arg, where)
                elif kind == "race-chart" and arg not in ("throughput", "syscalls", "cpu", "idle"):
                    problems.append(f"{where}: make race draws no chart '{arg}'")
                elif kind == "race-proxy-chart" and arg not in ("proxy-throughput", "proxy-cpu", "proxy-syscalls"):
                    problems.append(f"{where}: make race-proxy draws no chart '{arg}'")
                elif kind == "demo" and demos is not None and arg.partition("#")[0] not in demos:
                    problems.append(f"{where}: no demonstration '{arg.partition('#')[0]}' (grader/demos/CMakeLists.txt)")
                elif kind == "demo-chart" and demos is not None and not any(arg.startswith(d + "-") for d in demos):
                    problems.append(f"{where}: '{arg}' is not a chart of a demonstration (NAME-CHART)")
                elif kind == "zerocopy" and arg not in ("relay", "send"):
                    problems.append(f"{where}: the zero-copy section has tables 'relay' and 'send', not '{arg}'")
            except DeckError as error:
                problems.append(str(error))
        for image in IMAGE.findall(line):
            if image.startswith("http"):
                problems.append(f"{where}: {image}: decks use local images only (the PDF is built offline)")
            elif image.startswith("diagrams/") and image.endswith(".svg"):
                if not (SLIDES / "diagrams" / (Path(image).stem + ".dot")).exists():
                    problems.append(f"{where}: {image} has no source slides/diagrams/{Path(image).stem}.dot")
            elif not (SLIDES / image).exists():
                problems.append(f"{where}: image {image} does not exist")
    for line, slide in slides_of(text):
        figure = IMAGE.search(slide) or re.search(r"<!--\s*(strace|race|race-chart|race-proxy|race-proxy-chart|zerocopy|code|demo|demo-chart):", slide)
        if figure and not NOTE.search(slide):
            problems.append(f"{name}:{line}: this slide shows a figure, diagram or listing but has no speaker note")
    return problems


def render_diagrams(out):
    dot = shutil.which("dot")
    if not dot:
        raise DeckError("graphviz is not installed (make deps installs it): the diagrams need `dot`")
    (out / "diagrams").mkdir(parents=True, exist_ok=True)
    for source in sorted((SLIDES / "diagrams").glob("*.dot")):
        target = out / "diagrams" / (source.stem + ".svg")
        subprocess.run([dot, "-Tsvg", str(source), "-o", str(target)], check=True, timeout=60)


def build(out, build_dir):
    out.mkdir(parents=True, exist_ok=True)
    render_diagrams(out)
    shutil.copytree(SLIDES / "theme", out / "theme", dirs_exist_ok=True)
    results_file = build_dir / "race" / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else None
    if results_file.exists():
        (out / "race").mkdir(exist_ok=True)
        for chart in (build_dir / "race").glob("*.svg"):
            shutil.copy(chart, out / "race" / chart.name)
    proxy_dir = build_dir / "race-proxy"
    proxy_results = json.loads((proxy_dir / "results.json").read_text()) if (proxy_dir / "results.json").exists() else None
    zerocopy = json.loads((proxy_dir / "zerocopy.json").read_text()) if (proxy_dir / "zerocopy.json").exists() else None
    if proxy_dir.exists():
        (out / "race-proxy").mkdir(exist_ok=True)
        for chart in proxy_dir.glob("*.svg"):
            shutil.copy(chart, out / "race-proxy" / chart.name)
    demos_dir = build_dir / "demos"
    if demos_dir.exists():
        (out / "demos").mkdir(exist_ok=True)
        for chart in demos_dir.glob("*.svg"):
            shutil.copy(chart, out / "demos" / chart.name)
    straces = StraceExcerpts(build_dir, out)
    for deck in decks():
        expanded = []
        for number, line in enumerate(deck.read_text().splitlines(), 1):
            where = f"{deck.name}:{number}"
            m = DIRECTIVE.match(line.strip())
            if not m:
                expanded.append(line)
                continue
            kind, arg = m.groups()
            if kind == "code":
                lab, _, marker = arg.partition("#")
                expanded.append(extract(lab, marker, where))
            elif kind == "strace":
                expanded.append(straces.excerpt(arg, where))
            elif kind == "race":
                expanded.append(race_rows(arg, results))
            elif kind == "grading":
                expanded.append(grading_table(arg, where))
            elif kind == "race-chart":
                chart = build_dir / "race" / f"{arg}.svg"
                expanded.append(f"![h:540]({'race/' + arg + '.svg'})" if chart.exists() else
                                f"*The {arg} chart appears here after `make race`.*")
            elif kind == "race-proxy":
                expanded.append(race_proxy_rows(arg, proxy_results))
            elif kind == "race-proxy-chart":
                expanded.append(f"![h:540](race-proxy/{arg}.svg)" if (proxy_dir / f"{arg}.svg").exists() else
                                f"*The {arg} chart appears here after `make race-proxy`.*")
            elif kind == "zerocopy":
                expanded.append(zerocopy_rows(arg, zerocopy))
            elif kind == "demo":
                expanded.append(demo_rows(arg, demos_dir))
            elif kind == "demo-chart":
                expanded.append(f"![h:480](demos/{arg}.svg)" if (demos_dir / f"{arg}.svg").exists() else
                                f"*The {arg} chart appears here after `make demos`.*")
        (out / deck.name).write_text("\n".join(expanded) + "\n")
    for trace in out.glob("strace-*.txt"):
        trace.unlink()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="check the decks only (no browser, no servers)")
    parser.add_argument("--out", type=Path, help="write the expanded decks here")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build", help="where the servers and race results are")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (tests point it at a copy)")
    args = parser.parse_args()
    set_root(args.root)
    problems = [p for deck in decks() for p in check_deck(deck)]
    if len(decks()) == 0:
        problems.append("no decks under slides/")
    if problems:
        print("\n".join(f"slides: {p}" for p in problems), file=sys.stderr)
        return 1
    if args.check:
        print(f"slides: {len(decks())} decks checked: markers, images, notes, listing sizes")
        return 0
    if not args.out:
        parser.error("give --check or --out DIR")
    try:
        build(args.out, args.build_dir)
    except (DeckError, subprocess.SubprocessError) as error:
        print(f"slides: {error}", file=sys.stderr)
        return 1
    print(f"slides: {len(decks())} decks expanded into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
