"""Adapters that serve an implementation over the driver protocol (``docs/driver-protocol.md``).

``python -m conformance.adapters.python_driver MODULE:ATTR`` serves a Python implementation;
``node --experimental-websocket conformance/adapters/node_driver.mjs`` is a JavaScript one.
"""
