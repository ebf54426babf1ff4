# C10K Labs: the one entry point. Wraps CMake; everything is built in build/.
#
#   make grade-solutions     install what is missing, build, grade every reference solution
#   make test                install what is missing, build, run every test (ctest)
#   make grade LAB=01        grade your build of lab 01 (SERVER=path grades another binary)
#   make race [LAB=06-epoll]  the ladder measured side by side: table, JSON, charts (build/race/)
#   make race-proxy [LAB=09]  TinyGate against nginx and haproxy (and yours): table, JSON, charts (build/race-proxy/)
#   make demo NAME | demos   the lectures' claims measured here: tables, JSON, charts (build/demos/)
#   make slides | slides-check   the lecture decks, HTML + PDF (build/slides/), and their render check
#   make deps | all | docs | clean
#   make gradescope | github-actions | autolab LAB=NN, make prairielearn   (README: For instructors)
#   make docker-build | docker-shell | docker-check   (the student image, see README)

BUILD_DIR := build
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
GRADER    := $(BUILD_DIR)/grader/c10k-grade
LAB       ?=
SERVER    ?=
DOCKER    ?= docker
IMAGE     ?= c10k-labs
# io_uring allowed by the project's seccomp profile; nofile for the 10,000-connection tests;
# the host's uid so files written in the mounted repo stay yours.
DOCKER_RUN_FLAGS := --security-opt seccomp=docker/seccomp-io_uring.json --ulimit nofile=20000:20000 \
                    --user "$$(id -u):$$(id -g)" -e HOME=/tmp -v "$(CURDIR)":/work/c10k -w /work/c10k

TARGETS := demo demos slides slides-html slides-check deps-slides deps-slides-html race race-proxy deps-race all deps configure test grade grade-solutions docs clean handout gradescope gradescope-check github-actions prairielearn autolab docker-build docker-shell docker-check
.PHONY: $(TARGETS)

all: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

# Re-run every time: it is quick when nothing changed, and picks up new lab folders.
configure:
	@mkdir -p $(BUILD_DIR)
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo > $(BUILD_DIR)/configure.log 2>&1 || \
	  { cat $(BUILD_DIR)/configure.log; echo; \
	    echo "make: CMake could not configure the build; if a package is missing, run: make deps"; exit 1; }

deps:
	@sh docker/deps.sh

# The slide tests need the pinned Marp CLI: installed here when possible, else skipped by
# CMake with a note (e.g. a student container without Node.js).
test: deps all
	@sh slides/deps.sh html || echo "make test: the slide build is not tested (see above)"
	@$(MAKE) --no-print-directory configure
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

# Builds only the grader and this lab, quietly: the student sees the compiler's messages
# when there are some, then the report.
grade: configure
	@test -n "$(LAB)" || { echo "usage: make grade LAB=01 [SERVER=path/to/server]"; exit 2; }
	@lab=$$(echo "$(LAB)" | cut -c1-2); \
	targets=c10k-grade; \
	if [ -z "$(SERVER)" ] && ls -d labs/$$lab-*/ >/dev/null 2>&1; then targets="$$targets lab$${lab}_server"; fi; \
	sh grader/quiet_build.sh $(BUILD_DIR) $(JOBS) $$targets
	@$(GRADER) $(LAB) $(if $(SERVER),--server $(SERVER))

ifneq ($(filter grade-solutions,$(MAKECMDGOALS)),)
ifeq ($(wildcard solutions/[0-9][0-9]-*/),)
$(error make grade-solutions: this is the student handout, it has no solutions/; grade your own build with make grade LAB=01 (..09), and make test runs the handout's tests)
endif
endif
grade-solutions: deps all
	@status=0; summary=""; \
	for dir in solutions/[0-9][0-9]-*/; do \
	  lab=$$(basename $$dir); \
	  { $(GRADER) $$lab --server $(BUILD_DIR)/solutions/$$lab/server || echo 1 > $(BUILD_DIR)/grade-$$lab.failed; } \
	    | tee $(BUILD_DIR)/grade-$$lab.txt; \
	  if [ -f $(BUILD_DIR)/grade-$$lab.failed ]; then status=1; rm -f $(BUILD_DIR)/grade-$$lab.failed; fi; \
	  summary="$$summary$$(printf '\n  %-22s %s' $$lab "$$(sed -n 's/^score: //p' $(BUILD_DIR)/grade-$$lab.txt)")"; \
	  echo; \
	done; \
	echo "reference solutions:$$summary"; \
	exit $$status

# The benchmark packages (perf for exact syscall counts, gnuplot for the charts), kept out
# of `make deps` so the student image stays lean; and tracefs, where perf finds the syscall
# tracepoints (a fresh machine does not mount it).
deps-race:
	@sh docker/deps.sh docker/race-packages.txt
	@sh grader/bench/mount_tracefs.sh

# Every reference solution under the same loads: a table, build/race/results.json and
# charts. LAB=06-epoll adds your build of that lab. Several minutes; not part of make test.
race: deps deps-race all
	@$(BUILD_DIR)/grader/c10k-race $(if $(LAB),--student $(LAB))

# TinyGate's reference against real nginx and haproxy (started with grader/bench/proxy/*.in,
# never as services), one origin, interleaved rounds. LAB=09 adds your build of lab 09 (its
# three models). Builds only what it races: minutes.
RACE_PROXY_TARGETS = c10k-race-proxy c10k-origin c10k-zerocopy $(if $(wildcard solutions/09-tinygate),solution09_server) \
                     $(if $(LAB),lab09_server)
ifneq ($(filter race-proxy,$(MAKECMDGOALS)),)
ifneq ($(filter-out 09 09-tinygate,$(LAB)),)
$(error make race-proxy races lab 09, TinyGate (LAB=09); an echo lab races with: make race LAB=$(LAB))
endif
endif
race-proxy: deps deps-race configure
	@cmake --build $(BUILD_DIR) -j$(JOBS) --target $(RACE_PROXY_TARGETS)
	@status=0; $(BUILD_DIR)/grader/c10k-race-proxy $(if $(LAB),--student 09) || status=$$?; echo; \
	$(BUILD_DIR)/grader/bench/c10k-zerocopy --json $(BUILD_DIR)/race-proxy/zerocopy.json || status=$$?; \
	exit $$status

# The demonstrations (grader/demos/README.md): `make demo herd` runs one (NAME=herd works
# too), `make demos` runs all eight: under a minute on 2 cores once built (measured: 35 s). Not part of make test,
# which runs a short version of each.
DEMO_NAMES = $(strip $(NAME) $(filter-out $(TARGETS),$(MAKECMDGOALS)))
ifneq ($(filter demo,$(MAKECMDGOALS)),)
# `make demo herd`: the name is a goal too; it has nothing to do on its own (run_demos.sh
# checks it is a demonstration).
$(filter-out $(TARGETS),$(MAKECMDGOALS)):
	@:
endif

demo: deps configure
	@sh grader/demos/run_demos.sh $(BUILD_DIR) $(JOBS) $(DEMO_NAMES)

demos: deps configure
	@sh grader/demos/run_demos.sh $(BUILD_DIR) $(JOBS) --all

# The lecture decks: slides/NN-name.md expanded (code from solutions/, strace excerpts,
# make race and make demos figures) into build/slides/, then HTML and PDF by the pinned Marp CLI.
SLIDES_OUT := $(BUILD_DIR)/slides
MARP       := slides/node_modules/.bin/marp
MARP_FLAGS := --no-stdin --html --allow-local-files --theme-set slides/theme/c10k.css

deps-slides-html:
	@sh slides/deps.sh html

deps-slides:
	@sh slides/deps.sh pdf

slides-html: deps deps-slides-html all
	@python3 slides/build_decks.py --out $(SLIDES_OUT) --build-dir $(BUILD_DIR)
	@$(MARP) $(MARP_FLAGS) -I $(SLIDES_OUT) -o $(SLIDES_OUT)

slides: slides-html deps-slides
	@CHROME_PATH=/usr/bin/chromium $(MARP) $(MARP_FLAGS) --pdf -I $(SLIDES_OUT) -o $(SLIDES_OUT)
	@echo "slides: $$(ls $(SLIDES_OUT)/*.pdf | wc -l) decks in $(SLIDES_OUT)/ (.html and .pdf)"

# Every PDF page rendered to PNG: page counts match the decks, no page is blank.
slides-check: slides
	@python3 slides/check_rendered.py $(SLIDES_OUT)

docs: configure
	cmake --build $(BUILD_DIR) --target docs
	@echo "docs: open $(BUILD_DIR)/docs/html/index.html"

clean:
	rm -rf $(BUILD_DIR)

# The student handout: every source file except solutions/ (reference code and hidden
# tests), as build/handout/ and build/handout.tar.gz. It builds, tests and grades on its own.
# grader/handout_files.sh lists the files, with git or, in a tarball, without.
handout:
	@rm -rf $(BUILD_DIR)/handout $(BUILD_DIR)/handout.tar.gz && mkdir -p $(BUILD_DIR)/handout
	@sh grader/handout_files.sh | xargs -0 cp --parents -t $(BUILD_DIR)/handout
	@tar -C $(BUILD_DIR) -czf $(BUILD_DIR)/handout.tar.gz handout
	@echo "handout: $(BUILD_DIR)/handout.tar.gz ($$(find $(BUILD_DIR)/handout -type f | wc -l) files, no solutions/)"

# LAB's folder (01 -> 01-blocking) for the platform packages, and the check they start with.
LAB_NAME = $(notdir $(patsubst %/,%,$(firstword $(wildcard labs/$(LAB)*/))))
need_lab = test -n "$(LAB)" || { echo "usage: make $(1) LAB=01"; exit 2; }; \
	test -n "$(LAB_NAME)" || { echo "make $(1): no lab $(LAB) under labs/"; exit 2; }

# A Gradescope autograder for one lab: build/gradescope/lab-NN.zip with setup.sh and
# run_autograder at its root and c10k/, the portable bundle (a static grader, the lab's
# starter and spec, its hidden tests -- never its solution's source; for a lab with a
# leaderboard, its stripped binary -- and the libraries' headers).
gradescope:
	@$(call need_lab,gradescope)
	@lab=$(LAB_NAME); \
	out=$(BUILD_DIR)/gradescope/$$lab; rm -rf $$out && mkdir -p $$out; \
	REFERENCE=yes BUILD_DIR=$(abspath $(BUILD_DIR)) bash grader/platforms/portable/bundle.sh $$out/c10k $$lab || exit 1; \
	cp grader/platforms/gradescope/setup.sh grader/platforms/gradescope/run_autograder $$out/; \
	rm -f $(BUILD_DIR)/gradescope/lab-$(LAB).zip; \
	(cd $$out && zip -qr ../lab-$(LAB).zip .) || exit 1; \
	echo "gradescope: $(BUILD_DIR)/gradescope/lab-$(LAB).zip (lab $$lab$$([ -f solutions/$$lab/hidden.toml ] && echo ', with hidden tests'))"

# A template repository for plain GitHub Actions: the handout, .grader/ (the bundle, no
# hidden tests: students can read the repository) and .github/workflows/grade.yml.
github-actions:
	@$(call need_lab,github-actions)
	@lab=$(LAB_NAME); \
	out=$(BUILD_DIR)/github-actions/$$lab; rm -rf $$out && mkdir -p $$out/.github/workflows; \
	sh grader/handout_files.sh | xargs -0 cp --parents -t $$out; \
	HIDDEN= BUILD_DIR=$(abspath $(BUILD_DIR)) bash grader/platforms/portable/bundle.sh $$out/.grader $$lab || exit 1; \
	cp grader/platforms/github-actions/github_step.sh $$out/.grader/; \
	cp grader/platforms/github-actions/grade.yml $$out/.github/workflows/; \
	echo "github-actions: $$out (push it as the assignment's template repository)"

# A PrairieLearn course folder: serverFilesCourse/c10k, a question per lab, the Dockerfile.
prairielearn:
	@BUILD_DIR=$(abspath $(BUILD_DIR)) bash grader/platforms/prairielearn/make_course.sh $(BUILD_DIR)/prairielearn

# Autolab: build/autolab/NN-name/{autograde-Makefile,autograde.tar,README.md}.
autolab:
	@$(call need_lab,autolab)
	@lab=$(LAB_NAME); \
	out=$(BUILD_DIR)/autolab/$$lab; rm -rf $$out && mkdir -p $$out; \
	BUILD_DIR=$(abspath $(BUILD_DIR)) bash grader/platforms/portable/bundle.sh $$out/c10k $$lab || exit 1; \
	tar -C $$out -cf $$out/autograde.tar c10k && rm -rf $$out/c10k; \
	cp grader/platforms/autolab/autograde-Makefile grader/platforms/autolab/README.md $$out/; \
	echo "autolab: $$out (autograde-Makefile, autograde.tar; docker flags in README.md)"

# Slow (a Debian 11 root, the stand-in for Gradescope's Ubuntu 22.04): not part of make test.
gradescope-check: all
	bash grader/platforms/gradescope/check_old_userland.sh

docker-build:
	$(DOCKER) build -f docker/Dockerfile -t $(IMAGE) .

docker-shell: docker-build
	$(DOCKER) run --rm -it $(DOCKER_RUN_FLAGS) $(IMAGE) bash

# Slow (builds the image with podman, runs the tests inside): not part of `make test`.
docker-check:
	bash docker/check.sh
