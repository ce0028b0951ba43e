"""Pictures sent with the digests: chart data built from the read model, rendered with matplotlib.

`charts` turns open orders into typed chart values (what a picture shows, testable without
pixels); `fonts` finds a CJK font through matplotlib's font manager; `render` draws PNGs with the
Agg backend; `compose` ties them to the jobs (rendering off the event loop).
"""
