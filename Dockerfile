# gh-store's Docker container action: applies pending updates to the object an event names.
# The runner builds this on every job run, so the install layer must cache: pinned requirements
# are copied and installed before the code.
FROM python:3.12-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A virtual environment of our own: right on the official image, and on any base whose Python
# is marked externally managed (PEP 668), where a system-wide pip install is refused.
# pip itself is not needed at run time.
COPY requirements/action.txt /opt/gh-store/requirements.txt
RUN python3 -m venv /opt/gh-store/venv \
    && /opt/gh-store/venv/bin/python -m pip install --requirement /opt/gh-store/requirements.txt \
    && /opt/gh-store/venv/bin/python -m pip uninstall --yes pip setuptools

COPY gh_store/ /opt/gh-store/app/gh_store/
COPY entrypoint.py /opt/gh-store/app/entrypoint.py
# Bytecode now, so each (fresh, read-only to us) container starts without compiling.
RUN /opt/gh-store/venv/bin/python -m compileall -q /opt/gh-store/app

# No USER: the runner's workspace and file-command mounts belong to root. No WORKDIR: the runner
# sets the working directory to /github/workspace.
ENTRYPOINT ["/opt/gh-store/venv/bin/python", "/opt/gh-store/app/entrypoint.py"]
