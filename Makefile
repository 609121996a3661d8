# Crop Confidence: developer commands. `make help` lists them.
SHELL := /bin/bash
PYTHON_SYSTEM := /usr/bin/python3
VENV ?= .venv
PY := $(VENV)/bin/python
APT_PACKAGES := python3-qgis qgis python3-rasterio python3-venv xvfb gdal-bin python3-gdal qttools5-dev-tools
PLUGIN_LINK := build/plugins/crop_confidence
export QT_QPA_PLATFORM ?= offscreen
export XDG_RUNTIME_DIR ?= /tmp/runtime-$(shell id -u)
export QGIS_PLUGINPATH := $(CURDIR)/build/plugins
export PYTHONPATH := $(CURDIR)/build/plugins:/usr/share/qgis/python/plugins
TEST_PROFILE ?= build/qgis-test-profile
QGIS_PROFILE_PLUGINS ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default/python/plugins


.PHONY: all translations help setup test test-matrix demo lint format zip install bench models styles screenshot review clean

# The default goal: the compiled French translation (checked first: a missing one fails).
all: translations

translations: setup
	$(PY) tools/i18n.py check
	$(PY) tools/i18n.py release

help:
	@echo "make         check the French translation and build i18n/crop_confidence_fr.qm"
	@echo "make setup   install Debian's QGIS/GDAL/rasterio and the .venv (idempotent)"
	@echo "make test    run the whole test suite in real QGIS (offscreen)"
	@echo "make test-matrix  the suite and the demo in chroots with QGIS 3.40 and 3.44 (as root)"
	@echo "make demo    the main job on the embedded sample, offline, into demo-output/"
	@echo "make lint    ruff, the size limits (radon) and mypy on the pure layers"
	@echo "make zip     build dist/crop_confidence.zip for the Plugin Manager"
	@echo "make install link the plugin into the default QGIS profile"
	@echo "make bench   benchmark the engine against gdal_calc and the QGIS raster calculator"
	@echo "make screenshot  the tour: the real QGIS desktop under Xvfb, English and French, into docs/tour/"
	@echo "make review      the layout review: every dialog and the dock, 2 languages x 2 sizes, into build/review/"
	@echo "make translations  check i18n/crop_confidence_fr.ts and build the .qm (tools/i18n.py update refreshes the .ts)"

build/.apt-done:
	@mkdir -p build
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi
	@touch $@

# `make zip` ships pystac-client and the pure-Python packages it needs from the venv's own
# site-packages (tools/make_zip.py): those Debian may also have (python3-dateutil, python3-six,
# at the very version pinned) are installed into the venv all the same, without their deps.
$(VENV)/.done: requirements-dev.txt build/.apt-done
	@[ -x $(PY) ] || $(PYTHON_SYSTEM) -m venv --system-site-packages $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --ignore-installed --no-deps \
		$$(grep -E '^(python-dateutil|six)==' requirements-dev.txt)
	@touch $@

$(PLUGIN_LINK):
	@mkdir -p build/plugins
	@ln -sfn "$(CURDIR)" $(PLUGIN_LINK)

setup: build/.apt-done $(VENV)/.done $(PLUGIN_LINK)
	@mkdir -p $(XDG_RUNTIME_DIR) && chmod 700 $(XDG_RUNTIME_DIR)

# Tests use their own QGIS profile (settings, auth database), never the user's.
test: setup translations
	rm -rf $(TEST_PROFILE) && mkdir -p $(TEST_PROFILE)
	QGIS_CUSTOM_CONFIG_PATH=$(CURDIR)/$(TEST_PROFILE) $(VENV)/bin/pytest

# The whole suite and the demo on QGIS 3.40 (bookworm-backports) and 3.44 (trixie-backports),
# in Debian chroots built by debootstrap and cached under build/chroots (root needed).
test-matrix:
	tools/matrix.sh all

demo: setup translations
	$(PY) tools/demo.py --out demo-output

PURE_PACKAGES := -p crop_confidence.plugin.domain -p crop_confidence.plugin.raster \
	-p crop_confidence.plugin.net -p crop_confidence.plugin.sources

# ruff, the size limits of plugin/ (radon), and mypy on the pure layers.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) tools/code_size.py
	cd build/plugins && $(CURDIR)/$(VENV)/bin/mypy --config-file $(CURDIR)/pyproject.toml $(PURE_PACKAGES)

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

zip: setup translations
	$(PY) tools/make_zip.py dist/crop_confidence.zip

install: setup
	@mkdir -p "$(QGIS_PROFILE_PLUGINS)"
	ln -sfn "$(CURDIR)" "$(QGIS_PROFILE_PLUGINS)/crop_confidence"
	@echo "Linked into $(QGIS_PROFILE_PLUGINS); enable it in Plugins > Manage and Install Plugins."

bench: setup
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-bench.txt
	$(PY) tools/bench.py
	$(PY) tools/bench_zonal.py --out bench-output/zonal

models: setup
	$(PY) tools/make_models.py

styles: setup
	$(PY) tools/make_styles.py

# The tour: the real QGIS desktop under Xvfb, with a throw-away profile that enables the plugin
# and points its sources at the embedded sample, driven by tools/tour.py, in English and French,
# into docs/tour/<language>/. TOUR_SIZE=1920x1080 for the other screen size of the layout review.
TOUR_LANGUAGES ?= en_GB fr_FR
TOUR_SIZE ?= 1366x768
TOUR_DIR ?= docs/tour
screenshot: setup translations
	@for locale in $(TOUR_LANGUAGES); do \
		language=$${locale%%_*}; profile=$(CURDIR)/build/tour-profile-$$language; \
		rm -rf $$profile $(CURDIR)/build/tour-downloads-$$language; \
		mkdir -p $$profile/profiles/default/QGIS; \
		printf '[PythonPlugins]\ncrop_confidence=true\n[locale]\nuserLocale=%s\noverrideFlag=true\n[CropConfidence]\nclms_source_url=%s\noso_source_url=%s\ndownload_folder=%s\n' \
			$$locale $(CURDIR)/resources/sample/catalog.json $(CURDIR)/resources/sample/catalog.json \
			$(CURDIR)/build/tour-downloads-$$language > $$profile/profiles/default/QGIS/QGIS3.ini; \
		QT_QPA_PLATFORM=xcb CROP_CONFIDENCE_ROOT=$(CURDIR) CROP_CONFIDENCE_TOUR=$(CURDIR)/$(TOUR_DIR)/$$language \
			CROP_CONFIDENCE_TOUR_SIZE=$(TOUR_SIZE) \
			PYTHONPATH=$(CURDIR)/build/plugins:$$($(PY) -c 'import site; print(site.getsitepackages()[0])') \
			timeout 300 xvfb-run -a -s "-screen 0 $(TOUR_SIZE)x24" qgis --nologo --noversioncheck \
			--profiles-path $$profile --code $(CURDIR)/tools/tour.py || exit 1; \
		cat $(TOUR_DIR)/$$language/tour.log; \
	done

# The layout review (issue 14): every Processing dialog of the provider and the dock, grabbed in
# the real QGIS desktop under Xvfb for each language and screen size by tools/review_dialogs.py,
# into build/review/<language>-<size>/, with cut.txt listing the texts that do not fit.
REVIEW_SIZES ?= 1366x768 1920x1080
review: setup translations
	@for locale in $(TOUR_LANGUAGES); do for size in $(REVIEW_SIZES); do \
		language=$${locale%%_*}; target=$(CURDIR)/build/review/$$language-$$size; \
		profile=$(CURDIR)/build/review-profile-$$language; \
		rm -rf $$profile $$target; mkdir -p $$profile/profiles/default/QGIS $$target; \
		printf '[PythonPlugins]\ncrop_confidence=true\n[locale]\nuserLocale=%s\noverrideFlag=true\n[CropConfidence]\nclms_source_url=%s\noso_source_url=%s\n' \
			$$locale $(CURDIR)/resources/sample/catalog.json $(CURDIR)/resources/sample/catalog.json \
			> $$profile/profiles/default/QGIS/QGIS3.ini; \
		QT_QPA_PLATFORM=xcb CROP_CONFIDENCE_ROOT=$(CURDIR) CROP_CONFIDENCE_REVIEW=$$target \
			CROP_CONFIDENCE_REVIEW_SIZE=$$size \
			PYTHONPATH=$(CURDIR)/build/plugins:$$($(PY) -c 'import site; print(site.getsitepackages()[0])') \
			timeout 300 xvfb-run -a -s "-screen 0 $${size}x24" qgis --nologo --noversioncheck \
			--profiles-path $$profile --code $(CURDIR)/tools/review_dialogs.py || exit 1; \
		grep '^==' $$target/cut.txt | sed "s|^|$$language-$$size |"; \
	done; done

clean:
	tools/matrix.sh unmount
	rm -rf --one-file-system build dist demo-output bench-output vendor
