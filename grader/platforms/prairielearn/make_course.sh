#!/usr/bin/env bash
# make_course.sh OUT: a PrairieLearn course folder -- serverFilesCourse/c10k/ (the bundle:
# a static grader, every lab's starter, spec and hidden tests, common/ compiled), one
# question per lab (info.json with externalGradingOptions, question.html to upload the
# lab's files, tests/lab naming it), and the image's Dockerfile. Copy its contents into your course repository.
set -euo pipefail
out=$1
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
rm -rf "$out" && mkdir -p "$out/questions"
labs=$(cd "$repo/labs" && ls -d [0-9][0-9]-*)
bash "$here/../portable/bundle.sh" "$out/serverFilesCourse/c10k" $labs
"$out/serverFilesCourse/c10k/build_server.sh" --prepare >/dev/null  # the image is Debian 12 too: same g++
cp "$here/grade.sh" "$out/serverFilesCourse/c10k/prairielearn.sh"
cp "$here/Dockerfile" "$out/Dockerfile"
for lab in $labs; do
    question=$out/questions/c10k-$lab
    mkdir -p "$question/tests"
    echo "$lab" >"$question/tests/lab"  # /grade/tests/lab: which lab the entrypoint grades
    files=$(cd "$repo/labs/$lab" && ls *.cpp *.hpp 2>/dev/null | grep -v -e '^main.cpp$' -e '^upstream' -e '^proxy.hpp$' || true)
    title=$(sed -n 's/^title = "\(.*\)"/\1/p' "$repo/labs/$lab/grade.toml" | head -1)
    python3 - "$question/info.json" "$lab" "$title" <<'PY'
import json, sys, uuid
path, lab, title = sys.argv[1:]
json.dump({
    "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, "c10k-labs/" + lab)),
    "title": f"C10K lab {lab[:2]}: {title}",
    "topic": "Linux I/O",
    "type": "v3",
    "singleVariant": True,
    "gradingMethod": "External",
    "externalGradingOptions": {
        "enabled": True,
        "image": "YOURORG/c10k-prairielearn",
        "serverFilesCourse": ["c10k/"],
        "entrypoint": "/grade/serverFilesCourse/c10k/prairielearn.sh",
        "timeout": 900,
    },
}, open(path, "w"), indent=2)
PY
    {
        echo "<pl-question-panel><p>C10K Labs, lab $lab: $title. Upload your files; see labs/$lab/README.md.</p></pl-question-panel>"
        echo "<pl-file-upload file-names=\"$(echo $files | tr ' ' ',')\"></pl-file-upload>"
        echo "<pl-submission-panel><pl-external-grader-results></pl-external-grader-results><pl-file-preview></pl-file-preview></pl-submission-panel>"
    } >"$question/question.html"
done
echo "prairielearn: $out ($(echo $labs | wc -w) questions; build the image from $out/Dockerfile)"
