"""DCloud's uni-app x Web runtime (npm ``@dcloudio/uni-h5``, pinned) as a conformance driver, in
Node and in headless Chromium.  See ``docs/adapters.md`` and ``python -m conformance.adapters.uni_h5
--help``; the install is :mod:`conformance.adapters.uni_h5.install`.
"""
