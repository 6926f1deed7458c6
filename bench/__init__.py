"""The benchmarks: this gh-store, over REST and over GraphQL, against the original gh-store
0.11.3 (``make bench``).

Run from the repository root as ``.venv/bin/python -m bench.run`` (``--quick`` for small
workloads). The harness runs in the project venv; each implementation runs in a driver process
in a venv of its own, started by :mod:`bench.launch` so that the original's driver imports the
original ``gh_store`` and never this checkout's (:mod:`bench.drivers` says how).

This ``__init__`` imports nothing: the package is also imported in bench/.venv-orig (by the
original's driver and the plotter), where ``gh_store`` is the original's and ghapi is missing, so
each module pulls in only what it uses.

Modules, from what is measured outwards:

- :mod:`.workloads`: the processing workloads and their updates (pure data);
- :mod:`.protocol` (stdlib only, both venvs): the line protocol and the operations both drivers
  answer; :mod:`.drive_ours` and :mod:`.drive_original`, the two drivers;
- :mod:`.launch` (stdlib only): runs a module of this package in another venv, that venv's
  packages first; :mod:`.drivers`: the harness's side of a driver process;
- :mod:`.session`: one driver against one fresh emulator, set-up not counted, one call measured;
- the measurements: :mod:`.processing`, :mod:`.client_ops`, :mod:`.many` (a catch-up run,
  repeated reads), :mod:`.startup`, :mod:`.container`;
- :mod:`.environment` (the original's venv, machine facts), :mod:`.report` (Markdown and JSON),
  :mod:`.plot` (runs in the original's venv, which has matplotlib), :mod:`.run` (``main``).

Adding a measurement:

- another processing workload on one object: a ``Workload`` in ``FULL`` (and ``QUICK``) in
  :mod:`.workloads`; it gets a row in both processing tables and a point in the plots;
- another kind of run (many objects, repeated reads, another transport): an operation in
  ``protocol.store_operations`` when both stores can answer it with the original's public API,
  or in one driver's handlers when only one can; a module beside :mod:`.processing` with a
  ``run_...(implementation, ..., log_path=..., config_path=...)`` that opens a
  :class:`~.session.Session`, prepares with ``session.setup`` and times with
  ``session.measure`` (requests are counted for the measured call only), and returns frozen
  results with ``to_json``; one step in :func:`bench.run.main` that stores them under a key of
  the results, and a section in :mod:`.report` that renders that key.
"""
